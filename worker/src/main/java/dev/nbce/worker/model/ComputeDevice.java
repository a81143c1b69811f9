package dev.nbce.worker.model;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;

/**
 * A resolved device and the dtype the decoder computes in there: F32 on CPUs (F16 matmul on CPU is
 * about 100x slower); on GPUs BF16 (or F16 when asked, or F32), see {@code DecoderOptions}.
 * Everything else is the same code path. BF16 arrays are only ever made on a GPU by casting F32
 * ones there (creating or reading BF16 through DJL's buffers aborts the JVM); results are cast to
 * F32 on the device before they are copied out.
 */
public record ComputeDevice(Device device, DataType dtype) {

    /** The DJL engine everything here runs on. */
    public static final String ENGINE = "PyTorch";

    public ComputeDevice {
        if (device == null || (dtype != DataType.FLOAT32 && dtype != DataType.FLOAT16 && dtype != DataType.BFLOAT16)) {
            throw new IllegalArgumentException("need a device and FLOAT32, FLOAT16 or BFLOAT16, got " + device + ", " + dtype);
        }
        if (!device.isGpu() && dtype != DataType.FLOAT32) {
            throw new IllegalArgumentException("the CPU computes in FLOAT32, not " + dtype);
        }
    }

    /** F32 on the CPU; F16 on a GPU (prefer {@code DecoderOptions#resolve}, which picks BF16 where supported). */
    public static ComputeDevice of(Device device) {
        return new ComputeDevice(device, device.isGpu() ? DataType.FLOAT16 : DataType.FLOAT32);
    }

    public static ComputeDevice cpu() {
        return of(Device.cpu());
    }
}
