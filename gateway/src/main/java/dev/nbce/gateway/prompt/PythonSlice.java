package dev.nbce.gateway.prompt;

import com.hubspot.jinjava.el.ext.AstRangeBracket;
import com.hubspot.jinjava.objects.collections.PyList;
import java.util.ArrayList;
import java.util.List;
import jinjava.de.odysseus.el.tree.Bindings;
import jinjava.de.odysseus.el.tree.impl.ast.AstNode;
import jinjava.javax.el.ELContext;
import jinjava.javax.el.ELException;

/**
 * {@code seq[start:stop:step]} with Python's rules: any bound may be omitted or negative, bounds past
 * the end are clipped, a negative step walks backwards; strings slice by code point.
 */
final class PythonSlice extends AstRangeBracket {

    private final AstNode start;
    private final AstNode stop;
    private final AstNode step;

    PythonSlice(AstNode base, AstNode start, AstNode stop, AstNode step, boolean lvalue, boolean strict) {
        super(base, start, stop, lvalue, strict, false);
        this.start = start;
        this.stop = stop;
        this.step = step;
    }

    @Override
    public Object eval(Bindings bindings, ELContext context) {
        Object base = prefix.eval(bindings, context);
        Integer from = bound(start, bindings, context);
        Integer to = bound(stop, bindings, context);
        Integer by = bound(step, bindings, context);
        if (by != null && by == 0) {
            throw new ELException("slice step cannot be zero");
        }
        if (base instanceof String text) {
            int[] codePoints = text.codePoints().toArray();
            StringBuilder out = new StringBuilder();
            for (int i : indices(codePoints.length, from, to, by)) {
                out.appendCodePoint(codePoints[i]);
            }
            return out.toString();
        }
        if (base instanceof List<?> list) {
            List<Object> out = new ArrayList<>();
            for (int i : indices(list.size(), from, to, by)) {
                out.add(list.get(i));
            }
            return new PyList(out);
        }
        throw new ELException(prefix + " is not a sequence that can be sliced");
    }

    private static Integer bound(AstNode node, Bindings bindings, ELContext context) {
        if (node == null) {
            return null;
        }
        Object value = node.eval(bindings, context);
        if (value == null) {
            return null;
        }
        if (!(value instanceof Number n)) {
            throw new ELException("slice indices must be integers or None, got " + value);
        }
        return n.intValue();
    }

    /** The positions {@code range(*slice(from, to, by).indices(length))} visits. */
    static int[] indices(int length, Integer from, Integer to, Integer by) {
        int step = by == null ? 1 : by;
        int lower = step < 0 ? -1 : 0;
        int upper = step < 0 ? length - 1 : length;
        int first = from == null ? (step < 0 ? upper : lower) : clip(from, length, lower, upper);
        int last = to == null ? (step < 0 ? lower : upper) : clip(to, length, lower, upper);
        int count = step > 0
                ? Math.max(0, (last - first + step - 1) / step)
                : Math.max(0, (first - last - step - 1) / -step);
        int[] out = new int[count];
        for (int k = 0; k < count; k++) {
            out[k] = first + k * step;
        }
        return out;
    }

    private static int clip(int index, int length, int lower, int upper) {
        int at = index < 0 ? index + length : index;
        return Math.max(lower, Math.min(upper, at));
    }
}
