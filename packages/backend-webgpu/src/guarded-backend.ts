/**
 * tfjs's `WebGPUBackend` with a guard: no tensor above the adapter's storage-binding limit is
 * ever given a GPU buffer, and synchronous reads fail with a typed error where they cannot work.
 */
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import type { BackendValues, DataType, Tensor, TensorInfo, WebGPUData } from '@tensorflow/tfjs-core';
import { bufferLimitError, gpuError, syncReadError, tensorBytes, type BindingLimit } from './limit-errors.js';

/** The guard's settings, fixed when the backend is created. */
export interface GuardSettings {
  /** The binding limit the guard enforces. */
  readonly limit: BindingLimit;
  /**
   * Whether synchronous reads of GPU data can work here (tfjs reads through `OffscreenCanvas`,
   * which browsers have and Node has not); false makes them throw a `BackendLimitError`.
   */
  readonly syncReads: boolean;
}

/** The instance side of a guarded backend: tfjs's backend plus its guard settings. */
export type GuardedWebGpuBackend = WebGPUBackend & {
  readonly guard: GuardSettings;
  /** Call before destroying the device on purpose, so that its loss is not reported as an error. */
  expectDeviceLoss(): void;
};

/** The class built by {@link guardedBackendClass}. */
export type GuardedWebGpuBackendClass = new (device: GPUDevice, adapterInfo: GPUAdapterInfo | undefined, guard: GuardSettings) => GuardedWebGpuBackend;

/** What the `recordAndSubmit` hook reaches on the instance (tfjs's pipeline cache is private in its types). */
interface RecordHooks {
  readonly pipelineCache: Record<string, unknown>;
}

const classes = new WeakMap<typeof WebGPUBackend, GuardedWebGpuBackendClass>();

/**
 * A subclass of tfjs's `WebGPUBackend` (passed in: the package is imported lazily) that checks
 * the size of every tensor the backend creates:
 *
 * - `write`: every new tensor, uploads from the CPU and every kernel output (intermediate ones
 *   included), before anything is allocated;
 * - `uploadToGPU`: anything else about to get a GPU buffer (data moved from another backend);
 * - `createTensorFromGPUData`: tensors wrapping a caller's `GPUBuffer`.
 *
 * Above the limit it throws a `BackendLimitError`; no buffer is created and no tensor leaks.
 *
 * It also listens for the device's uncaptured errors (a shader that does not compile, an
 * invalid pipeline, out of memory) and its loss, which tfjs ignores while the results are
 * garbage: the kernel that caused them (in Node, where Dawn reports them at once) or the next
 * read (in browsers, where they arrive later) throws a `BackendLimitError` naming the error.
 */
export function guardedBackendClass(Base: typeof WebGPUBackend): GuardedWebGpuBackendClass {
  const cached = classes.get(Base);
  if (cached) return cached;
  class Guarded extends Base {
    readonly guard: GuardSettings;
    private readonly gpuErrors: string[] = [];
    private lostReason: string | undefined;
    private lossExpected = false;
    /** The program being run, for messages and for the output to free when it fails. */
    private running: { readonly during: string; readonly ownsOutput: boolean } | undefined;

    constructor(device: GPUDevice, adapterInfo: GPUAdapterInfo | undefined, guard: GuardSettings) {
      super(device, adapterInfo);
      this.guard = guard;
      device.addEventListener('uncapturederror', (event) => {
        const error = (event as GPUUncapturedErrorEvent).error;
        this.gpuErrors.push((error?.message ?? String(error)).split('\n')[0]!.trim());
      });
      void device.lost.then((info) => {
        if (!this.lossExpected) this.lostReason = `the GPU device was lost (${info.reason}: ${info.message.split('\n')[0]})`;
      });
    }

    expectDeviceLoss(): void {
      this.lossExpected = true;
    }

    /** For the `recordAndSubmit` hook below. */
    hasGpuErrors(): boolean {
      return this.gpuErrors.length > 0 || this.lostReason !== undefined;
    }

    /** For the `recordAndSubmit` hook below. */
    runningProgram(): { readonly during: string; readonly ownsOutput: boolean } | undefined {
      return this.running;
    }

    /** For the `recordAndSubmit` hook below. */
    throwOnGpuErrorsNow(): void {
      this.throwOnGpuErrors(this.running?.during ?? 'a GPU program');
    }

    /** Throws (once) for GPU errors reported since the last check. */
    private throwOnGpuErrors(during: string): void {
      if (this.lostReason !== undefined) throw gpuError(during, [this.lostReason]);
      if (this.gpuErrors.length === 0) return;
      const errors = this.gpuErrors.splice(0);
      throw gpuError(during, errors);
    }

    override runWebGPUProgram(...args: Parameters<WebGPUBackend['runWebGPUProgram']>): TensorInfo {
      const [program, inputs, , , given] = args;
      const during = `${program.constructor.name} on [${inputs.map((t) => `[${t.shape.join(', ')}]`).join(', ')}]`;
      this.throwOnGpuErrors(`an operation before ${during}`);
      this.running = { during, ownsOutput: given === undefined };
      try {
        const output = super.runWebGPUProgram(...args);
        try {
          this.throwOnGpuErrors(during);
        } catch (e) {
          if (given === undefined) this.disposeData(output.dataId);
          throw e;
        }
        return output;
      } finally {
        this.running = undefined;
      }
    }

    override async read(dataId: object): Promise<BackendValues> {
      const values = await super.read(dataId);
      this.throwOnGpuErrors('a read of GPU data');
      return values;
    }

    private check(shape: readonly number[], dtype: DataType): void {
      const bytes = tensorBytes(shape, dtype);
      if (bytes > this.guard.limit.bytes) throw bufferLimitError(shape, dtype, bytes, this.guard.limit);
    }

    override write(values: BackendValues, shape: number[], dtype: DataType): object {
      this.check(shape, dtype);
      return super.write(values, shape, dtype);
    }

    override uploadToGPU(dataId: object): void {
      const data = this.tensorMap.get(dataId);
      if (data !== undefined && data.resource == null) this.check(data.shape, data.dtype);
      super.uploadToGPU(dataId);
    }

    override createTensorFromGPUData(webGPUData: WebGPUData, shape: number[], dtype: DataType): Tensor {
      this.check(shape, dtype);
      if (webGPUData.buffer.size > this.guard.limit.bytes) {
        throw bufferLimitError(shape, dtype, webGPUData.buffer.size, this.guard.limit);
      }
      return super.createTensorFromGPUData(webGPUData, shape, dtype);
    }

    override readSync(dataId: object): BackendValues {
      if (!this.guard.syncReads) {
        const data = this.tensorMap.get(dataId);
        // Values still (or again) on the CPU read fine; complex tensors recurse into their parts.
        if (data !== undefined && data.values == null && data.dtype !== 'string' && data.complexTensorInfos == null) {
          throw syncReadError(data.shape);
        }
      }
      return super.readSync(dataId);
    }
  }
  // tfjs compiles a program's pipeline, then records its dispatch (`recordAndSubmit`, private in
  // its types). Dawn in Node reports a shader that does not compile at once: stop before the
  // dispatch is recorded, so the commands already batched with it stay valid, and forget the
  // invalid pipeline so that the next use fails the same way instead of poisoning a batch.
  const record = (Base.prototype as unknown as Record<string, unknown>)['recordAndSubmit'];
  if (typeof record === 'function') {
    Object.defineProperty(Guarded.prototype, 'recordAndSubmit', {
      configurable: true,
      writable: true,
      value: function (this: Guarded, program: { shaderKey?: string }, output: TensorInfo, ...rest: unknown[]) {
        if (this.hasGpuErrors()) {
          if (program.shaderKey !== undefined) delete (this as unknown as RecordHooks).pipelineCache[program.shaderKey];
          if (this.runningProgram()?.ownsOutput) this.disposeData(output.dataId);
          this.throwOnGpuErrorsNow();
        }
        return (record as (...a: unknown[]) => unknown).call(this, program, output, ...rest);
      },
    });
  }
  classes.set(Base, Guarded);
  return Guarded;
}
