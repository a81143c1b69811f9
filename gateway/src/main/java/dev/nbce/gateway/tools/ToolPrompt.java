package dev.nbce.gateway.tools;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.nbce.gateway.prompt.TemplateValues;
import dev.nbce.gateway.request.RequestMessage;
import dev.nbce.gateway.request.Role;
import dev.nbce.gateway.request.Tool;
import dev.nbce.gateway.request.ToolCall;
import dev.nbce.gateway.request.Tools;
import java.util.ArrayList;
import java.util.List;

/**
 * How a conversation with tools reaches the chat template (docs/structured-output.md, "Tools").
 * <ul>
 *   <li>A template that renders tools ({@code ChatTemplate.takesTools()}: Qwen3, Llama 3.1) gets them as its
 *       {@code tools} variable, the assistant's {@code tool_calls} and the {@code tool} turns as they are:
 *       the model sees the prompt it was trained on.</li>
 *   <li>Any other template gets the <b>default form</b>: a "# Tools" block in the system message (added
 *       when there is none) listing each tool's definition as JSON and saying how to call one in the
 *       server's {@link ToolCallFormat}; earlier calls written into the assistant's text in that format;
 *       and each run of tool results as one user turn of {@code <tool_response>…</tool_response>} blocks
 *       (joined with a user turn that follows it, so turns still alternate).</li>
 * </ul>
 * With {@code tool_choice: "none"} the tools are not shown; earlier calls and results still are.
 *
 * @param messages      the conversation to render
 * @param templateTools the template's {@code tools} variable, or null
 */
public record ToolPrompt(List<RequestMessage> messages, List<Object> templateTools) {

    public static ToolPrompt of(List<RequestMessage> conversation, Tools tools, ToolCallFormat format,
                                boolean templateTakesTools) {
        if (templateTakesTools) {
            List<Object> definitions = null;
            if (tools.offered()) {
                definitions = new ArrayList<>();
                for (Tool tool : tools.functions()) {
                    definitions.add(TemplateValues.of(tool.definition()));
                }
            }
            return new ToolPrompt(conversation, definitions);
        }
        boolean history = conversation.stream().anyMatch(m -> m.role() == Role.TOOL || !m.toolCalls().isEmpty());
        if (!tools.offered() && !history) {
            return new ToolPrompt(conversation, null);
        }
        List<RequestMessage> out = new ArrayList<>(conversation.size() + 1);
        if (tools.offered()) {
            String block = block(tools, format);
            if (!conversation.isEmpty() && conversation.get(0).role() == Role.SYSTEM) {
                String system = conversation.get(0).text();
                out.add(RequestMessage.of(Role.SYSTEM, system.isEmpty() ? block : system + "\n\n" + block));
                conversation = conversation.subList(1, conversation.size());
            } else {
                out.add(RequestMessage.of(Role.SYSTEM, block));
            }
        }
        StringBuilder results = null;
        for (RequestMessage m : conversation) {
            if (m.role() == Role.TOOL) {
                results = results == null ? new StringBuilder() : results.append('\n');
                results.append("<tool_response>\n").append(m.text()).append("\n</tool_response>");
                continue;
            }
            if (results != null) {
                String text = m.role() == Role.USER ? results + "\n\n" + m.text() : results.toString();
                out.add(RequestMessage.of(Role.USER, text));
                results = null;
                if (m.role() == Role.USER) {
                    continue;
                }
            }
            if (m.toolCalls().isEmpty()) {
                out.add(m);
            } else {
                String said = m.text();
                out.add(RequestMessage.of(Role.ASSISTANT, (said.isEmpty() ? "" : said + "\n") + calls(m.toolCalls(), format)));
            }
        }
        if (results != null) {
            out.add(RequestMessage.of(Role.USER, results.toString()));
        }
        return new ToolPrompt(out, null);
    }

    /**
     * The default form's system block: the tools as JSON, one a line, and how to call them (short: every row
     * carries it).
     */
    static String block(Tools tools, ToolCallFormat format) {
        StringBuilder out = new StringBuilder("# Tools\n\nYou may call one or more of these functions:\n<tools>");
        for (Tool tool : tools.functions()) {
            out.append('\n').append(tool.definition().toString());
        }
        out.append("\n</tools>\n");
        if (format == ToolCallFormat.LLAMA3_JSON) {
            out.append("To call one, answer with only {\"name\": <function-name>, \"parameters\": <args-json-object>};"
                    + " separate calls with \"; \".");
        } else {
            out.append("To call one, answer with <tool_call>\n{\"name\": <function-name>, \"arguments\":"
                    + " <args-json-object>}\n</tool_call>");
        }
        return out.toString();
    }

    /** Calls as the model writes them in {@code format}. */
    static String calls(List<ToolCall> calls, ToolCallFormat format) {
        StringBuilder out = new StringBuilder();
        for (ToolCall call : calls) {
            if (out.length() > 0) {
                out.append(format.separator());
            }
            out.append(format.prefix()).append("{\"name\": ").append(TextNode.valueOf(call.name())).append(", \"")
                    .append(format.argumentsKey()).append("\": ").append(call.arguments()).append('}').append(format.suffix());
        }
        return out.toString();
    }
}
