package dev.nbce.gateway.prompt;

import com.hubspot.jinjava.el.ExtendedSyntaxBuilder;
import com.hubspot.jinjava.el.ext.AdditionOperator;
import com.hubspot.jinjava.el.ext.AstNamedParameter;
import com.hubspot.jinjava.el.ext.AstRangeBracket;
import com.hubspot.jinjava.el.ext.NamedParameterOperator;
import com.hubspot.jinjava.el.ext.ExtendedParser;
import com.hubspot.jinjava.el.ext.ExtendedScanner;
import java.util.ArrayDeque;
import java.util.Deque;
import jinjava.de.odysseus.el.tree.Bindings;
import jinjava.de.odysseus.el.tree.impl.Builder;
import jinjava.de.odysseus.el.tree.impl.Parser;
import jinjava.de.odysseus.el.tree.impl.Scanner;
import jinjava.de.odysseus.el.tree.impl.Scanner.Symbol;
import jinjava.de.odysseus.el.tree.impl.ast.AstBinary;
import jinjava.de.odysseus.el.tree.impl.ast.AstIdentifier;
import jinjava.de.odysseus.el.tree.impl.ast.AstNode;
import jinjava.de.odysseus.el.tree.impl.ast.AstRightValue;
import jinjava.javax.el.ELContext;

/**
 * Expression syntax of Python Jinja that Jinjava's parser lacks, for hub chat templates:
 * slices with a step ({@code messages[::-1]}, {@code text[1:-1:2]}), keyword arguments whose value is
 * a whole expression ({@code namespace(i=messages|length - 1)}) and Python's {@code +}, which
 * joins only str + str or list + list and raises otherwise (Jinjava would quietly turn
 * {@code 'x' + [..]} into the list's text). Everything else is Jinjava's own parser.
 *
 * <p>Public only because the EL factory instantiates its tree builder reflectively.
 */
public final class PythonSyntax extends ExtendedSyntaxBuilder {

    private static final long serialVersionUID = 1L;

    public PythonSyntax(Feature... features) {
        super(features);
    }

    /** The second {@code :} inside one pair of brackets, which opens a slice's step. */
    static final Scanner.ExtensionToken STEP = new Scanner.ExtensionToken(":");

    @Override
    protected Parser createParser(String expression) {
        return new PythonParser(this, expression);
    }

    private static final class PythonParser extends ExtendedParser {

        PythonParser(Builder context, String input) {
            super(context, input);
            // Lowest binary level: "stop STEP step" becomes a SliceStop before ']' is expected.
            putExtensionHandler(STEP, new ExtensionHandler(ExtensionPoint.OR) {
                @Override
                public AstNode createAstNode(AstNode... children) {
                    return new SliceStop(children[0], children[1]);
                }
            });
        }

        /**
         * {@code [start::step]}: the stop is empty, so the expression begins with the step's colon.
         * {@code name=value} (a keyword argument): the value is a whole expression, as in Python; Jinjava
         * binds {@code =} like {@code +}, reading {@code n=items|length - 1} as {@code (n=items|length) - 1}.
         */
        @Override
        protected AstNode expr(boolean required) throws Scanner.ScanException, ParseException {
            if (getToken() == STEP) {
                consumeToken();
                return new SliceStop(null, and(true));
            }
            if (getToken().getSymbol() == Symbol.IDENTIFIER && isKeywordEquals(lookahead(0))) {
                AstIdentifier name = identifier(consumeToken().getImage());
                consumeToken();
                return new AstNamedParameter(name, expr(true));
            }
            return super.expr(required);
        }

        private static boolean isKeywordEquals(Scanner.Token token) {
            return token.getSymbol() == Symbol.EXTENSION && NamedParameterOperator.TOKEN.getImage().equals(token.getImage());
        }

        @Override
        protected AstRangeBracket createAstRangeBracket(
                AstNode base, AstNode start, AstNode stop, boolean lvalue, boolean strict) {
            if (stop instanceof SliceStop withStep) {
                return new PythonSlice(base, start, withStep.stop, withStep.step, lvalue, strict);
            }
            return new PythonSlice(base, start, stop, null, lvalue, strict);
        }

        @Override
        protected AstBinary createAstBinary(AstNode left, AstNode right, AstBinary.Operator operator) {
            return super.createAstBinary(left, right, operator == AdditionOperator.OP ? PythonAddition.OP : operator);
        }

        @Override
        protected Scanner createScanner(String expression) {
            return new SliceScanner(expression);
        }
    }

    /** Marks the second {@code :} of a bracket as {@link #STEP}; brackets, parentheses and dicts nest. */
    private static final class SliceScanner extends ExtendedScanner {
        private final Deque<int[]> colonsPerBracket = new ArrayDeque<>(); // [0] = opener, [1] = colons seen

        SliceScanner(String input) {
            super(input);
        }

        @Override
        protected Token nextEval() throws ScanException {
            Token token = super.nextEval();
            Symbol symbol = token.getSymbol();
            if (symbol == Symbol.LBRACK || symbol == Symbol.LPAREN || isDict(token, "{")) {
                colonsPerBracket.push(new int[] {symbol == Symbol.LBRACK ? '[' : '(', 0});
            } else if (symbol == Symbol.RBRACK || symbol == Symbol.RPAREN || isDict(token, "}")) {
                colonsPerBracket.poll();
            } else if (symbol == Symbol.COLON && ":".equals(token.getImage())) {
                int[] bracket = colonsPerBracket.peek();
                if (bracket != null && bracket[0] == '[' && ++bracket[1] == 2) {
                    return STEP;
                }
            }
            return token;
        }

        private static boolean isDict(Token token, String brace) {
            return token.getSymbol() == Symbol.EXTENSION && brace.equals(token.getImage());
        }
    }

    /** The stop and step of a slice, carried from the parser to {@link PythonSlice}; never evaluated. */
    private static final class SliceStop extends AstRightValue {
        final AstNode stop;
        final AstNode step;

        SliceStop(AstNode stop, AstNode step) {
            this.stop = stop;
            this.step = step;
        }

        @Override
        public void appendStructure(StringBuilder builder, Bindings bindings) {
            if (stop != null) {
                stop.appendStructure(builder, bindings);
            }
            builder.append(':');
            step.appendStructure(builder, bindings);
        }

        @Override
        public Object eval(Bindings bindings, ELContext context) {
            throw new IllegalStateException("a slice step outside brackets");
        }

        @Override
        public int getCardinality() {
            return stop == null ? 1 : 2;
        }

        @Override
        public AstNode getChild(int i) {
            return stop == null ? step : i == 0 ? stop : step;
        }
    }
}
