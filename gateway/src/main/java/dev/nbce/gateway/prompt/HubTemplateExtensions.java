package dev.nbce.gateway.prompt;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.filter.Filter;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import com.hubspot.jinjava.lib.tag.Tag;
import com.hubspot.jinjava.tree.Node;
import com.hubspot.jinjava.tree.TagNode;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;

/**
 * The globals, filters and tags that transformers adds to the Jinja environment of chat templates:
 * {@code raise_exception(msg)}, {@code strftime_now(fmt)}, a Python-style {@code tojson} and the
 * {@code {% generation %}} block (a no-op marker for assistant masks); and Jinja's own {@code trim}, which
 * is Python's {@code str.strip()} (Jinjava's strips only ASCII whitespace).
 */
final class HubTemplateExtensions {

    /** Context variable that makes {@code strftime_now is defined} true, as it is under transformers. */
    static final String STRFTIME_MARKER = "strftime_now";

    private HubTemplateExtensions() {}

    static void install(Jinjava jinjava) {
        var context = jinjava.getGlobalContext();
        context.registerFunction(new ELFunctionDefinition(
                "", "raise_exception", HubTemplateExtensions.class, "raiseException", Object.class));
        context.registerFunction(new ELFunctionDefinition(
                "", "strftime_now", HubTemplateExtensions.class, "strftimeNow", String.class));
        context.registerFilter(new PythonToJson());
        context.registerFilter(new PythonTrim());
        context.registerTag(new GenerationTag());
    }

    public static Object raiseException(Object message) {
        throw new TemplateRefusal(new TemplateRaisedException(String.valueOf(message)));
    }

    /** Python's {@code datetime.now().strftime(fmt)} for the directives templates use. */
    public static String strftimeNow(String format) {
        return strftime(LocalDateTime.now(), format);
    }

    static String strftime(LocalDateTime time, String format) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < format.length(); i++) {
            char c = format.charAt(i);
            if (c != '%' || i + 1 == format.length()) {
                out.append(c);
                continue;
            }
            char directive = format.charAt(++i);
            String pattern = switch (directive) {
                case 'd' -> "dd";
                case 'm' -> "MM";
                case 'Y' -> "yyyy";
                case 'y' -> "yy";
                case 'b' -> "MMM";
                case 'B' -> "MMMM";
                case 'a' -> "EEE";
                case 'A' -> "EEEE";
                case 'H' -> "HH";
                case 'I' -> "hh";
                case 'M' -> "mm";
                case 'S' -> "ss";
                case 'p' -> "a";
                case 'j' -> "DDD";
                default -> null;
            };
            if (directive == '%') {
                out.append('%');
            } else if (pattern == null) {
                out.append('%').append(directive);
            } else {
                out.append(DateTimeFormatter.ofPattern(pattern, Locale.ENGLISH).format(time));
            }
        }
        return out.toString();
    }

    /** {@code value | tojson} or {@code value | tojson(indent=2)}, formatted as Python's json.dumps. */
    static final class PythonToJson implements Filter {
        @Override
        public String getName() {
            return "tojson";
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
            Integer indent = args.length > 0 && args[0] != null ? Integer.valueOf(args[0]) : null;
            return PythonJson.dumps(var, indent);
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
            Object indent = kwargs.containsKey("indent") ? kwargs.get("indent") : args.length > 0 ? args[0] : null;
            return PythonJson.dumps(var, indent instanceof Number n ? Integer.valueOf(n.intValue()) : null);
        }
    }

    /** {@code value | trim} = {@code str(value).strip()}, or {@code strip(chars)} with an argument. */
    static final class PythonTrim implements Filter {
        @Override
        public String getName() {
            return "trim";
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
            ContentParts parts = ContentParts.unwrap(var);
            if (parts != null) {
                throw parts.usedAsText();
            }
            String text = var == null ? "" : var instanceof String s ? s : PythonValues.str(var);
            return args.length > 0 && args[0] != null
                    ? PythonStringMethods.stripChars(text, args[0], true, true)
                    : PythonStringMethods.stripWhitespace(text, true, true);
        }
    }

    /** {@code {% generation %}...{% endgeneration %}} renders its body unchanged. */
    static final class GenerationTag implements Tag {
        @Override
        public String getName() {
            return "generation";
        }

        @Override
        public String getEndTagName() {
            return "endgeneration";
        }

        @Override
        public String interpret(TagNode tagNode, JinjavaInterpreter interpreter) {
            StringBuilder out = new StringBuilder();
            for (Node child : tagNode.getChildren()) {
                out.append(child.render(interpreter).getValue());
            }
            return out.toString();
        }
    }
}
