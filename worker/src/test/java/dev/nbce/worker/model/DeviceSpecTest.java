package dev.nbce.worker.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.types.DataType;
import org.junit.jupiter.api.Test;

class DeviceSpecTest {

    @Test
    void parsesEveryForm() {
        assertEquals(DeviceSpec.auto(), DeviceSpec.parse("auto"));
        assertEquals(DeviceSpec.cpu(), DeviceSpec.parse(" CPU "));
        assertEquals(DeviceSpec.gpu(0), DeviceSpec.parse("gpu"));
        assertEquals(DeviceSpec.gpu(3), DeviceSpec.parse("gpu:3"));
        assertEquals("gpu:3", DeviceSpec.gpu(3).toString());
        for (String bad : new String[] {"", "tpu", "gpu:", "gpu:-1", "gpu:x", "cuda:0"}) {
            assertThrows(IllegalArgumentException.class, () -> DeviceSpec.parse(bad), bad);
        }
    }

    @Test
    void resolvesToF32OnCpuAndF16OnGpu() {
        ComputeDevice cpu = DeviceSpec.cpu().resolve();
        assertEquals(Device.cpu(), cpu.device());
        assertEquals(DataType.FLOAT32, cpu.dtype());
        assertEquals(DataType.FLOAT16, ComputeDevice.of(Device.gpu(1)).dtype());

        int gpus = Engine.getEngine(ComputeDevice.ENGINE).getGpuCount();
        ComputeDevice auto = DeviceSpec.auto().resolve();
        assertEquals(gpus > 0 ? Device.gpu(0) : Device.cpu(), auto.device());
        assertThrows(IllegalArgumentException.class, () -> DeviceSpec.gpu(gpus).resolve());
    }
}
