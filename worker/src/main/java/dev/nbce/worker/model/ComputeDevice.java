package dev.nbce.worker.model;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;

/**
 * A resolved device and the dtype the decoder computes in there: F16 on GPUs (half the memory and
 * bandwidth), F32 on CPUs (F16 matmul on CPU is about 100x slower). Everything else is the same
 * code path.
 */
public record ComputeDevice(Device device, DataType dtype) {

    /** The DJL engine everything here runs on. */
    public static final String ENGINE = "PyTorch";

    public ComputeDevice {
        if (device == null || (dtype != DataType.FLOAT32 && dtype != DataType.FLOAT16)) {
            throw new IllegalArgumentException("need a device and FLOAT32 or FLOAT16, got " + device + ", " + dtype);
        }
    }

    public static ComputeDevice of(Device device) {
        return new ComputeDevice(device, device.isGpu() ? DataType.FLOAT16 : DataType.FLOAT32);
    }

    public static ComputeDevice cpu() {
        return of(Device.cpu());
    }
}
