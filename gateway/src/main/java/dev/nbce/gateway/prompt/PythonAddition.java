package dev.nbce.gateway.prompt;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import jinjava.de.odysseus.el.misc.NumberOperations;
import jinjava.de.odysseus.el.misc.TypeConverter;
import jinjava.de.odysseus.el.tree.impl.ast.AstBinary;
import jinjava.javax.el.ELException;

/**
 * Python's {@code +}: str + str, list + list, number + number; anything else is a TypeError, as it is
 * under transformers. (Jinjava would write {@code 'x' + none} as "xnull" and append a string to a list.)
 */
final class PythonAddition extends AstBinary.SimpleOperator {

    static final PythonAddition OP = new PythonAddition();

    private PythonAddition() {}

    @Override
    protected Object apply(TypeConverter converter, Object left, Object right) {
        for (Object operand : new Object[] {left, right}) {
            ContentParts parts = ContentParts.unwrap(operand);
            if (parts != null) {
                throw parts.usedAsText();
            }
        }
        if (isText(left) && isText(right)) {
            return left.toString() + right;
        }
        if (left instanceof Collection<?> a && right instanceof Collection<?> b) {
            List<Object> joined = new ArrayList<>(a);
            joined.addAll(b);
            return joined;
        }
        if (isNumber(left) && isNumber(right)) {
            return NumberOperations.add(converter, left, right);
        }
        throw new ELException("unsupported operand type(s) for +: '" + typeName(left) + "' and '" + typeName(right) + "'");
    }

    private static boolean isText(Object value) {
        return value instanceof String || value instanceof com.hubspot.jinjava.objects.SafeString;
    }

    private static boolean isNumber(Object value) {
        return value instanceof Number;
    }

    private static String typeName(Object value) {
        if (value == null) {
            return "NoneType";
        }
        if (isText(value)) {
            return "str";
        }
        if (value instanceof Collection<?>) {
            return "list";
        }
        if (value instanceof java.util.Map<?, ?>) {
            return "dict";
        }
        if (value instanceof Boolean) {
            return "bool";
        }
        return value instanceof Number ? "number" : value.getClass().getSimpleName();
    }

    @Override
    public String toString() {
        return "+";
    }
}
