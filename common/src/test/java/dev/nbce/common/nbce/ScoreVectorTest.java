package dev.nbce.common.nbce;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ScoreVectorTest {
    private static final float NEG_INF = Float.NEGATIVE_INFINITY;

    @Test
    void sparseKeepsTheFiniteEntriesInIdOrder() {
        float[] row = {NEG_INF, -0.5f, NEG_INF, -1.25f, NEG_INF};
        ScoreVector v = ScoreVector.ofTruncated(row, false);
        assertFalse(v.dense());
        assertEquals(5, v.vocabSize());
        assertEquals(2, v.size());
        assertArrayEquals(new int[] {1, 3}, v.ids());
        assertEquals(-0.5, v.valueAt(1));
        assertEquals(-1.25, v.valueAt(3));
        assertEquals(Double.NEGATIVE_INFINITY, v.valueAt(0));
        assertEquals(Double.NEGATIVE_INFINITY, v.valueAt(4));
        assertEquals(3, v.idAt(1));
        assertEquals(-1.25, v.valueAtIndex(1));
    }

    @Test
    void denseKeepsEveryEntryAndWidensFloatsExactly() {
        float[] row = {NEG_INF, 0.1f, -3.3f};
        ScoreVector v = ScoreVector.ofTruncated(row, true);
        assertTrue(v.dense());
        assertNull(v.ids());
        assertEquals(3, v.size());
        assertEquals(Double.NEGATIVE_INFINITY, v.valueAt(0));
        assertEquals((double) 0.1f, v.valueAt(1));
        assertEquals(2, v.idAt(2));
    }

    @Test
    void invalidShapesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new ScoreVector(3, null, new double[2]));
        assertThrows(IllegalArgumentException.class, () -> new ScoreVector(3, new int[] {0, 1}, new double[1]));
        assertThrows(IllegalArgumentException.class, () -> new ScoreVector(3, new int[] {1, 1}, new double[2]));
        assertThrows(IllegalArgumentException.class, () -> new ScoreVector(3, new int[] {2, 1}, new double[2]));
        assertThrows(IllegalArgumentException.class, () -> new ScoreVector(3, new int[] {3}, new double[1]));
        assertThrows(IllegalArgumentException.class, () -> new ScoreVector(3, new int[] {-1}, new double[1]));
        assertThrows(IllegalArgumentException.class,
                () -> new ScoreVector(3, new int[] {0}, new double[] {Double.NEGATIVE_INFINITY}));
    }

    @Test
    void equalityIsByValue() {
        ScoreVector a = new ScoreVector(4, new int[] {0, 2}, new double[] {-1, -2});
        ScoreVector b = new ScoreVector(4, new int[] {0, 2}, new double[] {-1, -2});
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertFalse(a.equals(new ScoreVector(4, new int[] {0, 3}, new double[] {-1, -2})));
    }
}
