package dev.nbce.gateway.prompt;

import com.hubspot.jinjava.objects.collections.PyList;
import com.hubspot.jinjava.objects.serialization.PyishSerializable;
import dev.nbce.gateway.request.Role;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A message's list-valued content as a template sees it: a list of {@code {"type", "text"}} dicts that a
 * template may iterate, index and test ({@code is string} is false, {@code is iterable} true).
 *
 * <p>It refuses to become text. Python would render {@code str()} of the list (Llama 3's {@code | trim})
 * or fail (Qwen3's {@code .startswith}); neither is a prompt worth sending, so every place where a
 * template uses the list as a string (output, {@code +}, {@code | trim}, string methods) throws
 * {@link ChatTemplateException}. Callers that want such models to take parts send the text as a string.
 */
final class ContentParts extends AbstractList<Map<String, Object>> implements PyishSerializable {

    private final String role;
    private final List<Map<String, Object>> parts;

    private ContentParts(String role, List<Map<String, Object>> parts) {
        this.role = role;
        this.parts = parts;
    }

    static ContentParts of(Role role, List<ContentPart> parts) {
        List<Map<String, Object>> values = new ArrayList<>(parts.size());
        parts.forEach(part -> values.add(part.asTemplateValue()));
        return new ContentParts(role.wireName(), List.copyOf(values));
    }

    /** The ContentParts behind a template value (Jinjava wraps lists in a PyList), or null. */
    static ContentParts unwrap(Object value) {
        Object inner = value instanceof PyList list ? list.toList() : value;
        return inner instanceof ContentParts parts ? parts : null;
    }

    /** The refusal, to throw from inside a template, for a template that used this content as a string. */
    TemplateRefusal usedAsText() {
        return new TemplateRefusal(new ContentPartsRefusedException("the " + role + " message's content is a list of parts, but this model's"
                + " chat template only takes a string there; send the content as a string"));
    }

    @Override
    public Map<String, Object> get(int index) {
        return parts.get(index);
    }

    @Override
    public int size() {
        return parts.size();
    }

    @Override
    public String toString() {
        throw usedAsText();
    }

    @Override
    public <T extends Appendable & CharSequence> T appendPyishString(T appendable) {
        throw usedAsText();
    }
}
