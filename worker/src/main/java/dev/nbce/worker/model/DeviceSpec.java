package dev.nbce.worker.model;

import ai.djl.Device;
import ai.djl.engine.Engine;
import java.util.Locale;

/**
 * Where to run, as a user writes it: {@code auto}, {@code cpu}, {@code gpu} or {@code gpu:N}.
 * {@code auto} picks the first GPU the PyTorch engine sees, else the CPU.
 *
 * @param gpuIndex the GPU ordinal for {@link Kind#GPU}; 0 otherwise
 */
public record DeviceSpec(Kind kind, int gpuIndex) {

    public enum Kind { AUTO, CPU, GPU }

    public DeviceSpec {
        if (kind == null) {
            throw new IllegalArgumentException("kind is required");
        }
        if (gpuIndex < 0 || (kind != Kind.GPU && gpuIndex != 0)) {
            throw new IllegalArgumentException("bad gpu index " + gpuIndex + " for " + kind);
        }
    }

    public static DeviceSpec auto() {
        return new DeviceSpec(Kind.AUTO, 0);
    }

    public static DeviceSpec cpu() {
        return new DeviceSpec(Kind.CPU, 0);
    }

    public static DeviceSpec gpu(int index) {
        return new DeviceSpec(Kind.GPU, index);
    }

    public static DeviceSpec parse(String text) {
        String s = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        if (s.equals("auto")) {
            return auto();
        }
        if (s.equals("cpu")) {
            return cpu();
        }
        if (s.equals("gpu")) {
            return gpu(0);
        }
        if (s.startsWith("gpu:")) {
            try {
                return gpu(Integer.parseInt(s.substring(4)));
            } catch (IllegalArgumentException e) {
                // fall through to the common message
            }
        }
        throw new IllegalArgumentException("device must be auto, cpu, gpu or gpu:N, got '" + text + "'");
    }

    /** Resolves against the GPUs the engine can see; asking for a missing GPU is an error. */
    public ComputeDevice resolve() {
        int gpus = Engine.getEngine(ComputeDevice.ENGINE).getGpuCount();
        switch (kind) {
            case CPU:
                return ComputeDevice.of(Device.cpu());
            case AUTO:
                return ComputeDevice.of(gpus > 0 ? Device.gpu(0) : Device.cpu());
            default:
                if (gpuIndex >= gpus) {
                    throw new IllegalArgumentException("device gpu:" + gpuIndex + " requested but the "
                            + ComputeDevice.ENGINE + " engine sees " + gpus + " GPU(s)");
                }
                return ComputeDevice.of(Device.gpu(gpuIndex));
        }
    }

    @Override
    public String toString() {
        return kind == Kind.GPU ? "gpu:" + gpuIndex : kind.name().toLowerCase(Locale.ROOT);
    }
}
