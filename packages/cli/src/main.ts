import { NrmError } from '@nrm/core';
import { UsageError } from './args/usage-error.js';
import { processIo, type CliIo } from './cli-io.js';
import { deconvCommand, DECONV_USAGE } from './commands/deconv.js';
import { demoCommand, DEMO_USAGE } from './commands/demo.js';
import { diagnoseCommand, DIAGNOSE_USAGE } from './commands/diagnose.js';
import { evalCommand, EVAL_USAGE } from './commands/eval.js';
import { explainCommand, EXPLAIN_USAGE } from './commands/explain.js';
import { flowsCommand, FLOWS_USAGE } from './commands/flows.js';
import { imagesCommand, IMAGES_USAGE } from './commands/images.js';
import { measureCommand, MEASURE_USAGE } from './commands/measure.js';
import { pathsCommand, PATHS_USAGE } from './commands/paths.js';
import { defaultRegistry } from './default-registry.js';

const USAGE = `nrm <command> [options]

commands:
  explain   explain a prediction; writes the input relevance as .npy (and a PNG heatmap)
  images    explain PNG/JPEG images (a file or a folder) with several composites: overlays and grids
  measure   normalized channel relevance of a layer, and conditionals given channel events
  flows     channel flow matrices between consecutive layers, top walks, a flow diagram (SVG)
  paths     neuron selection, the relevance graph, critical paths, and the selection optimizer
  deconv    project a feature map of a layer to pixels (deconvnet or guided backprop)
  diagnose  percentile mean power of the relevance at each layer (amplitude-filter diagnostic)
  eval      score composites with quality metrics (perturbation, masks, randomisation, conservation); JSON/HTML/Markdown report
  demo      explain a dozen handwritten digits with three composites (PNG grid + summary)

${EXPLAIN_USAGE}

${IMAGES_USAGE}

${MEASURE_USAGE}

${FLOWS_USAGE}

${PATHS_USAGE}

${DECONV_USAGE}

${DIAGNOSE_USAGE}

${EVAL_USAGE}

${DEMO_USAGE}`;

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

/**
 * Runs the `nrm` command line and returns the exit code: 0 on success, 1 when the work failed,
 * 2 when the command line is wrong. Failures print exactly one line to stderr.
 */
export async function runCli(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'explain':
        return await explainCommand(rest, defaultRegistry(), io);
      case 'images':
        return await imagesCommand(rest, defaultRegistry(), io);
      case 'measure':
        return await measureCommand(rest, defaultRegistry(), io);
      case 'flows':
        return await flowsCommand(rest, defaultRegistry(), io);
      case 'diagnose':
        return await diagnoseCommand(rest, defaultRegistry(), io);
      case 'eval':
        return await evalCommand(rest, defaultRegistry(), io);
      case 'paths':
        return await pathsCommand(rest, defaultRegistry(), io);
      case 'deconv':
        return await deconvCommand(rest, defaultRegistry(), io);
      case 'demo':
        return await demoCommand(rest, defaultRegistry(), io);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.stdout(USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`Unknown command '${command}'; commands: explain, images, measure, flows, paths, deconv, diagnose, eval, demo, help.`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`nrm: usage error: ${oneLine(error.message)}`);
      return 2;
    }
    if (error instanceof NrmError) {
      io.stderr(`nrm: error: ${oneLine(error.message)}`);
      return 1;
    }
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) {
      io.stderr(`nrm: usage error: ${oneLine((error as Error).message)}`);
      return 2;
    }
    io.stderr(`nrm: internal error: ${oneLine(error instanceof Error ? error.message : String(error))}`);
    return 1;
  }
}
