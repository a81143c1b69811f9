package dev.nbce.worker.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.nbce.common.error.ErrorCode;
import dev.nbce.common.error.NbceException;
import org.junit.jupiter.api.Test;

/** Which forward failures count as out of memory: PyTorch's allocators' messages, never the JVM's heap. */
class OutOfMemoryTest {
    @Test
    void recognisesWhatPyTorchSaysWhenAnAllocatorRunsOut() {
        for (String message : new String[] {
                FaultyForward.CUDA_OOM,
                "CUDA error: out of memory\nCUDA kernel errors might be asynchronously reported",
                "MPS backend out of memory (MPS allocated: 17.00 GB, other allocations: 1.2 GB)",
                "[enforce fail at alloc_cpu.cpp:117] data. DefaultCPUAllocator: not enough memory: you tried to allocate 26214400 bytes.",
                "[enforce fail at alloc_cpu.cpp:75] err == 0. DefaultCPUAllocator: can't allocate memory: you tried to allocate"
                        + " 132426121216 bytes. Error code 12 (Cannot allocate memory)",
                "CUDA error: CUBLAS_STATUS_ALLOC_FAILED when calling `cublasCreate(handle)`"}) {
            assertTrue(OutOfMemory.explains(new EngineException(message)), message);
        }
        assertTrue(OutOfMemory.explains(new IllegalStateException("step failed",
                new EngineException("CUDA out of memory. Tried to allocate 20.00 MiB"))), "a wrapped cause counts");
    }

    /** The real thing: PyTorch's CPU allocator refusing 4 EiB (beyond any address space), as DJL reports it. */
    @Test
    void recognisesARealAllocatorFailureThroughDjl() {
        try (NDManager manager = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            RuntimeException failure = null;
            try {
                manager.create(new Shape(1L << 60), DataType.FLOAT32).close();
            } catch (RuntimeException e) {
                failure = e;
            }
            assertTrue(failure != null, "allocating 4 EiB failed");
            assertTrue(OutOfMemory.explains(failure), failure.toString());
            System.out.println("PyTorch's CPU allocator: " + failure.getClass().getName() + ": " + OutOfMemory.summary(failure));
        }
    }

    @Test
    void otherFailuresAndJvmErrorsAreNot() {
        assertFalse(OutOfMemory.explains(new EngineException(
                "The size of tensor a (64) must match the size of tensor b (65) at non-singleton dimension 1")));
        assertFalse(OutOfMemory.explains(new IllegalArgumentException((String) null)));
        // The JVM's own (heap, threads) are left to end the engine thread, even wrapped.
        assertFalse(OutOfMemory.explains(new RuntimeException(new OutOfMemoryError(
                "unable to create native thread: possibly out of memory or process/resource limits reached"))));
    }

    @Test
    void summaryIsTheFirstLineCapped() {
        assertEquals("CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; 79.15 GiB total capacity; 77.90 GiB already"
                + " allocated; 1.02 GiB free)", OutOfMemory.summary(new EngineException(FaultyForward.CUDA_OOM)));
        assertEquals(201, OutOfMemory.summary(new EngineException("x".repeat(500))).length());
    }

    @Test
    void aRequestThatDoesNotFitAloneFailsRetryablyWithTheSummary() {
        NbceException e = OutOfMemory.requestFailed("worker w1", "r-1", new EngineException(FaultyForward.CUDA_OOM));
        assertEquals(ErrorCode.INTERNAL, e.code(), "another worker may have the memory: the gateway re-places the rows");
        assertEquals("worker w1 ran out of memory for request r-1, even for one row and one token alone ("
                + OutOfMemory.summary(new EngineException(FaultyForward.CUDA_OOM)) + ")", e.getMessage());
    }
}
