package io.sealmail.engine.imap;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The threads of RFC 5256: ORDEREDSUBJECT (§2.2) and REFERENCES (§2.3, the Zawinski algorithm), and their
 * response form (§4). Every walk over a tree uses an explicit stack: a hostile folder can chain 100,000 replies
 * into one thread, deeper than any thread stack.
 */
final class ThreadTree {
    /** References kept per message (the closest ancestors), so a hostile References field costs bounded work. */
    static final int MAX_REFERENCES = 1000;

    private ThreadTree() {
    }

    /** A message of a thread, or a dummy (no message) standing for a parent that is not among the messages. */
    static final class Node {
        SortMessage message;
        Node parent;
        List<Node> children = new ArrayList<>(1);
        /** Children linked in step 1, where only parent links are kept (lists are made after it, in one pass). */
        int linked;
        /** For a dummy below the top: the node its children move to when it is pruned. */
        Node home;
        /** Step 5: the node that now stands at the top for this one (a dummy made to hold it), or null. */
        Node top;
        /** The sent date and sequence number a node sorts by: its message's, or a dummy's first child's. */
        long date;
        int seq;

        Node(SortMessage message) {
            this.message = message;
        }

        void add(Node child) {
            child.parent = this;
            children.add(child);
        }

        /** Step 1 links: parent pointers and a count only, so relinking costs O(1) however many siblings. */
        void link(Node child) {
            child.parent = this;
            linked++;
        }

        void unlink() {
            if (parent != null) {
                parent.linked--;
                parent = null;
            }
        }

        /** Whether {@code other} is this node or below it (during step 1). */
        boolean reaches(Node other) {
            if (linked == 0) {
                return other == this;
            }
            for (Node n = other; n != null; n = n.parent) {
                if (n == this) {
                    return true;
                }
            }
            return false;
        }
    }

    private static final Comparator<Node> BY_DATE = Comparator.<Node>comparingLong(n -> n.date).thenComparingInt(n -> n.seq);

    /**
     * ORDEREDSUBJECT (§2.2): messages grouped by base subject; each group a thread whose first message (by sent
     * date) is the parent of all the others; threads ordered by the sent date of their first message.
     */
    static List<Node> orderedSubject(List<SortMessage> messages) throws IOException {
        List<Node> nodes = new ArrayList<>(messages.size());
        for (SortMessage m : messages) {
            nodes.add(dated(new Node(m)));
        }
        Map<Node, String> subjects = new IdentityHashMap<>();
        for (Node n : nodes) {
            subjects.put(n, n.message.subject().key());
        }
        nodes.sort(Comparator.<Node, String>comparing(subjects::get).thenComparing(BY_DATE));
        List<Node> threads = new ArrayList<>();
        Node first = null;
        for (Node n : nodes) {
            if (first != null && subjects.get(first).equals(subjects.get(n))) {
                first.add(n);
            } else {
                first = n;
                threads.add(n);
            }
        }
        threads.sort(BY_DATE);
        return threads;
    }

    private static Node dated(Node n) throws IOException {
        n.date = n.message.sentDate();
        n.seq = n.message.seq;
        return n;
    }

    /**
     * REFERENCES (§2.3 steps 1-6). Message-IDs and base subjects are numbers of the folder's {@link SortKeys}, read
     * once for all sessions, so steps 1 and 5 find a node by indexing an array, not by hashing every ID and subject
     * again for each command (the cost that kept a warm THREAD behind Dovecot's).
     */
    static List<Node> references(List<SortMessage> messages, SortKeys keys) throws IOException {
        for (SortMessage m : messages) {
            m.subjectNumber(); // numbered before step 5 sizes its table by them
        }
        List<Node> roots = linked(messages, keys);
        // (3), at the top: a dummy with one child gives way to it.
        List<Node> pruned = new ArrayList<>(roots.size());
        for (Node n : roots) {
            if (n.message == null && n.children.size() == 1) {
                Node only = n.children.get(0);
                only.parent = null;
                pruned.add(only);
            } else {
                pruned.add(n);
            }
        }
        // (4) The top level sorted by date; a dummy by its earliest child.
        for (Node n : pruned) {
            if (n.message == null) {
                n.children.sort(BY_DATE);
                n.date = n.children.get(0).date;
                n.seq = n.children.get(0).seq;
            }
        }
        pruned.sort(BY_DATE);
        // (5) Threads with the same base subject merged.
        List<Node> merged = mergeBySubject(pruned, keys.subjects.size());
        // (6) Every set of siblings sorted by date, children before parents (dummies take their first child's).
        List<Node> order = preorder(merged);
        for (int i = order.size() - 1; i >= 0; i--) {
            Node n = order.get(i);
            n.children.sort(BY_DATE);
            if (n.message == null && !n.children.isEmpty()) {
                n.date = n.children.get(0).date;
                n.seq = n.children.get(0).seq;
            }
        }
        merged.sort(BY_DATE);
        return merged;
    }

    /**
     * REFS (draft-ietf-morg-inthread §3.2, as Dovecot 2.3 implements it): REFERENCES' steps 1-3 without merging
     * threads by subject. Siblings are sorted as in REFERENCES (sent date, then sequence number); the threads by
     * their newest message's sent date, so the thread with the latest activity comes last. Ties between threads go
     * by the top message's number, a dummy at the top (which REFS keeps even with one child) before any message,
     * as Dovecot compares UID 0.
     */
    static List<Node> refs(List<SortMessage> messages, SortKeys keys) throws IOException {
        List<Node> roots = linked(messages, keys);
        ArrayDeque<Node> stack = new ArrayDeque<>();
        for (Node root : roots) {
            long newest = Long.MIN_VALUE;
            stack.push(root);
            while (!stack.isEmpty()) {
                Node n = stack.pop();
                if (n.message != null) {
                    newest = Math.max(newest, n.date);
                }
                if (n.children.size() > 1) {
                    n.children.sort(BY_DATE);
                }
                for (Node child : n.children) {
                    stack.push(child);
                }
            }
            root.date = newest;
            root.seq = root.message == null ? 0 : root.message.seq;
        }
        roots.sort(BY_DATE);
        return roots;
    }

    /**
     * §2.3 steps 1-3, which REFERENCES and REFS share: messages linked by their Message-ID, References and
     * In-Reply-To, dummies for parents not among the messages pruned, except a dummy at the top with children:
     * it stays, also with one child (REFERENCES lets that child take its place; REFS keeps it, and the response is
     * the same either way).
     */
    private static List<Node> linked(List<SortMessage> messages, SortKeys keys) throws IOException {
        for (SortMessage m : messages) {
            m.messageId();
            m.references(MAX_REFERENCES);
        }
        // (1) Link each message below its last reference, and each reference below the one before it.
        Node[] byId = new Node[keys.ids.size()];
        List<Node> all = new ArrayList<>(messages.size() + messages.size() / 4);
        for (SortMessage m : messages) {
            int id = m.messageId();
            Node node = id < 0 ? null : byId[id];
            if (node != null && node.message == null) {
                node.message = m; // a dummy made by an earlier reference to this message
            } else {
                node = new Node(m);
                all.add(node);
                if (id >= 0 && byId[id] == null) {
                    byId[id] = node; // a duplicate Message-ID counts as none: the first keeps it
                }
            }
            dated(node);
            Node previous = null;
            for (int ref : m.references(MAX_REFERENCES)) {
                Node r = byId[ref];
                if (r == null) {
                    r = new Node(null);
                    byId[ref] = r;
                    all.add(r);
                }
                // (1)(A) Existing links stay; no link may close a loop.
                if (previous != null && r.parent == null && r != previous && !r.reaches(previous)) {
                    previous.link(r);
                }
                previous = r;
            }
            // (1)(B) The last reference is the parent, replacing an earlier guess, unless that makes a loop.
            if (previous == null) {
                node.unlink();
            } else if (previous != node && !node.reaches(previous)) {
                node.unlink();
                previous.link(node);
            }
        }
        // (2) The root set, and the children lists from the parent links.
        List<Node> roots = new ArrayList<>();
        for (Node n : all) {
            if (n.parent == null) {
                roots.add(n);
            } else {
                n.parent.children.add(n);
            }
        }
        // (3) Dummies pruned: empty ones dropped, the others replaced by their children, except at the top where
        // a dummy with several children stays (they share a parent nobody has). Each message moves once, to its
        // nearest ancestor that stays (a chain of dummies costs its length, not length times messages).
        List<Node> order = preorder(roots);
        for (Node n : order) {
            if (n.message == null && n.parent != null) {
                n.home = stays(n.parent) ? n.parent : n.parent.home;
            }
        }
        for (Node n : order) {
            n.children = new ArrayList<>(n.children.size());
        }
        for (Node n : order) {
            if (n.message != null && n.parent != null) {
                Node p = stays(n.parent) ? n.parent : n.parent.home;
                p.add(n);
            }
        }
        List<Node> kept = new ArrayList<>(roots.size());
        for (Node n : roots) {
            if (n.message != null || !n.children.isEmpty()) {
                kept.add(n);
            }
        }
        return kept;
    }

    /** A node that stays in step 3: a message, or a dummy at the top. */
    private static boolean stays(Node n) {
        return n.message != null || n.parent == null;
    }

    /**
     * §2.3 step 5: top-level threads whose (first) message has the same non-empty base subject become one. The
     * order of the result does not matter: step 6 sorts it.
     */
    private static List<Node> mergeBySubject(List<Node> roots, int subjects) throws IOException {
        // The table of step 5(B), indexed by the subject's number; the messages' numbers are all below subjects.
        Node[] table = new Node[subjects];
        List<Integer> keysHeld = new ArrayList<>();
        for (Node n : roots) {
            BaseSubject subject = subjectOf(n);
            if (subject.key().isEmpty()) {
                continue;
            }
            int k = subjectNumberOf(n);
            Node old = table[k];
            if (old == null) {
                keysHeld.add(k);
            }
            if (old == null
                    || (n.message == null && old.message != null)
                    || (old.message != null && subjectOf(old).replyOrForward() && n.message != null && !subject.replyOrForward())) {
                table[k] = n;
            }
        }
        List<Node> out = new ArrayList<>(roots.size());
        // The node standing at the top for a table entry: the entry itself, or the dummy made to hold it (Node.top).
        for (Node n : roots) {
            BaseSubject subject = subjectOf(n);
            Node held1 = subject.key().isEmpty() ? null : table[subjectNumberOf(n)];
            if (held1 == null) {
                out.add(n);
                continue;
            }
            if (held1 == n) {
                continue; // added below, as itself or inside the dummy made for it
            }
            Node target = held1.top != null ? held1.top : held1;
            if (target.message == null && n.message == null) {
                // Both dummies: one gets the other's children.
                for (Node child : n.children) {
                    child.parent = target;
                }
                target.children.addAll(n.children);
                n.children.clear();
            } else if (target.message == null) {
                target.add(n);
            } else if (n.message == null) {
                // Not reached (the table prefers a dummy to a message); kept so that nothing is ever lost.
                n.add(target);
                held1.top = n;
            } else if (!subjectOf(target).replyOrForward() && subject.replyOrForward()) {
                target.add(n);
            } else {
                Node dummy = new Node(null);
                dummy.add(target);
                dummy.add(n);
                held1.top = dummy;
            }
        }
        // One per subject, in the order the subjects were first met (step 6 sorts them anyway).
        for (int k : keysHeld) {
            Node entry = table[k];
            out.add(entry.top != null ? entry.top : entry);
        }
        return out;
    }

    /** The number of {@link #subjectOf}'s key. */
    private static int subjectNumberOf(Node n) throws IOException {
        Node m = n.message != null ? n : n.children.get(0);
        return m.message.subjectNumber();
    }

    /** The base subject of a top-level node: its message's, or a dummy's first child's (§2.3 step 5(A)). */
    private static BaseSubject subjectOf(Node n) throws IOException {
        Node m = n.message != null ? n : n.children.get(0);
        return m.message.subject();
    }

    private static List<Node> preorder(List<Node> roots) {
        List<Node> out = new ArrayList<>();
        ArrayDeque<Node> stack = new ArrayDeque<>();
        for (int i = roots.size() - 1; i >= 0; i--) {
            stack.push(roots.get(i));
        }
        while (!stack.isEmpty()) {
            Node n = stack.pop();
            out.add(n);
            for (int i = n.children.size() - 1; i >= 0; i--) {
                stack.push(n.children.get(i));
            }
        }
        return out;
    }

    /**
     * The THREAD response's thread lists (§4): {@code (a b c)} for a chain, {@code (a (b)(c))} where a message
     * has several children, {@code ((b)(c))} for a dummy parent.
     */
    static void write(List<Node> threads, boolean uid, StringBuilder out) {
        ArrayDeque<Object> stack = new ArrayDeque<>();
        for (int i = threads.size() - 1; i >= 0; i--) {
            stack.push(CLOSE);
            stack.push(threads.get(i));
        }
        while (!stack.isEmpty()) {
            Object top = stack.pop();
            if (top == CLOSE) {
                out.append(')');
                continue;
            }
            out.append('(');
            Node n = (Node) top;
            boolean number = false;
            while (true) {
                if (n.message != null) {
                    if (number) {
                        out.append(' ');
                    }
                    out.append(uid ? n.message.info.uid() : n.message.seq);
                    number = true;
                }
                if (n.children.size() == 1) {
                    n = n.children.get(0);
                    continue;
                }
                if (!n.children.isEmpty()) {
                    if (number) {
                        out.append(' ');
                    }
                    for (int i = n.children.size() - 1; i >= 0; i--) {
                        stack.push(CLOSE);
                        stack.push(n.children.get(i));
                    }
                }
                break;
            }
        }
    }

    private static final Object CLOSE = new Object();
}
