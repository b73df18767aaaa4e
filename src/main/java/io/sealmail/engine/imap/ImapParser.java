package io.sealmail.engine.imap;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns a framed command into arguments: atoms, quoted strings, literals and parenthesized lists nested at most
 * {@code maxDepth} deep. An atom may carry a bracketed part with spaces and lists in it (a FETCH section such as
 * {@code BODY[HEADER.FIELDS (From To)]<0.100>}), read as part of the atom as RFC 9051's grammar does.
 */
final class ImapParser {
    private final List<String> lines;
    private final List<ImapInput.Literal> literals;
    private final int maxDepth;
    private int segment;
    private int pos;

    ImapParser(ImapInput.Command command, int maxDepth) {
        this.lines = command.lines();
        this.literals = command.literals();
        this.maxDepth = maxDepth;
    }

    List<ImapArg> parseAll() {
        List<ImapArg> top = new ArrayList<>();
        parseInto(top, 0);
        return top;
    }

    private String line() {
        return lines.get(segment);
    }

    private void parseInto(List<ImapArg> out, int depth) {
        while (true) {
            skipSpaces();
            if (pos >= line().length()) {
                if (depth > 0) {
                    throw new ImapSyntaxException("Unterminated list");
                }
                return;
            }
            char c = line().charAt(pos);
            if (c == ')') {
                if (depth == 0) {
                    throw new ImapSyntaxException("Unexpected )");
                }
                pos++;
                return;
            }
            if (c == '(') {
                if (depth + 1 > maxDepth) {
                    throw new ImapSyntaxException("LIMIT", "Lists nested deeper than " + maxDepth);
                }
                pos++;
                List<ImapArg> items = new ArrayList<>();
                parseInto(items, depth + 1);
                out.add(new ImapArg.ListArg(items));
            } else if (c == '"') {
                out.add(quoted());
            } else if (atLiteralMarker()) {
                out.add(literal());
            } else {
                out.add(atom());
            }
        }
    }

    private void skipSpaces() {
        String l = line();
        while (pos < l.length() && l.charAt(pos) == ' ') {
            pos++;
        }
    }

    /** True when the rest of this line is the marker that announced the next literal. */
    private boolean atLiteralMarker() {
        if (segment >= literals.size()) {
            return false;
        }
        String rest = line().substring(pos);
        // RFC 3516 §4.3: a binary literal's marker is ~{n}; its brace is the one at index 1.
        int brace = rest.startsWith("~{") ? 1 : 0;
        return (rest.startsWith("{") || brace == 1) && ImapCommandDecoder.LiteralMarker.at(rest) != null
                && rest.indexOf('{', brace + 1) < 0;
    }

    private ImapArg literal() {
        ImapInput.Literal lit = literals.get(segment);
        segment++;
        pos = 0;
        return new ImapArg.Literal(lit.bytes(), lit.binary());
    }

    private ImapArg quoted() {
        String l = line();
        StringBuilder sb = new StringBuilder();
        int i = pos + 1;
        while (i < l.length()) {
            char c = l.charAt(i);
            if (c == '\\') {
                if (i + 1 >= l.length()) {
                    break;
                }
                char next = l.charAt(i + 1);
                if (next != '\\' && next != '"') {
                    throw new ImapSyntaxException("Invalid escape in quoted string");
                }
                sb.append(next);
                i += 2;
            } else if (c == '"') {
                pos = i + 1;
                return new ImapArg.Quoted(sb.toString());
            } else {
                sb.append(c);
                i++;
            }
        }
        throw new ImapSyntaxException("Unterminated quoted string");
    }

    private ImapArg atom() {
        String l = line();
        int start = pos;
        int i = pos;
        while (i < l.length()) {
            char c = l.charAt(i);
            if (c == '[') {
                int close = l.indexOf(']', i);
                if (close < 0) {
                    throw new ImapSyntaxException("Unterminated [");
                }
                i = close + 1;
                continue;
            }
            if (c == ' ' || c == '(' || c == ')' || c == '"' || c < ' ' || c == 0x7f) {
                break;
            }
            i++;
        }
        if (i == start) {
            throw new ImapSyntaxException("Unexpected character '" + l.charAt(i) + "'");
        }
        pos = i;
        return new ImapArg.Atom(l.substring(start, i));
    }
}
