package io.sealmail.engine.mailauth;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleSupplier;

/**
 * DMARC (RFC 7489): policy discovery, identifier alignment and the disposition of one message. The organizational
 * domain comes from the DNS tree walk of DMARCbis (draft-ietf-dmarc-dmarcbis §4.10) rather than a public suffix
 * list that would age inside the image: at most 8 names are asked, from the domain itself upwards.
 */
final class DmarcCheck {
    static final int MAX_TREE_WALK = 8;

    private final BoundedDns dns;
    private final DoubleSupplier random;
    /** _dmarc.<name> answers of this check: a record, NO_RECORD, or the DNS failure. */
    private final Map<String, Object> cache = new HashMap<>();
    private static final Object NO_RECORD = new Object();

    DmarcCheck(BoundedDns dns, DoubleSupplier random) {
        this.dns = dns;
        this.random = random;
    }

    DmarcResult evaluate(FromDomain.Result from, List<DkimResult> dkim, SpfResult spf) {
        if (from.domain() == null) {
            return from.problem().startsWith("no From")
                    ? new DmarcResult(AuthResult.NONE, null, null, null, from.problem())
                    : new DmarcResult(AuthResult.PERMERROR, null, null, null, from.problem());
        }
        String domain = from.domain();
        List<Found> walk;
        try {
            walk = treeWalk(domain);
        } catch (IOException e) {
            return new DmarcResult(AuthResult.TEMPERROR, domain, null, null, "DMARC record look-up failed");
        }
        if (walk.isEmpty()) {
            return new DmarcResult(AuthResult.NONE, domain, null, null, null);
        }
        // RFC 7489 §6.6.3: the From domain's own record, else the organizational domain's (with its sp=).
        Found policyRecord = walk.get(0);
        String policy = policyRecord.name().equals(domain) ? policyRecord.record().policy() : policyRecord.record().subdomainPolicy();
        String orgDomain = organizationalDomain(domain, walk);
        DmarcRecord record = policyRecord.record();
        boolean temporary = false;
        for (DkimResult r : dkim) {
            if (r.result() == AuthResult.PASS && aligned(r.domain(), domain, orgDomain, record.strictDkim())) {
                return new DmarcResult(AuthResult.PASS, domain, policy, "none", null);
            }
            temporary |= r.result() == AuthResult.TEMPERROR;
        }
        if (spf.result() == AuthResult.PASS && aligned(spf.domain(), domain, orgDomain, record.strictSpf())) {
            return new DmarcResult(AuthResult.PASS, domain, policy, "none", null);
        }
        temporary |= spf.result() == AuthResult.TEMPERROR;
        if (temporary) {
            // A DNS failure may have hidden an aligned pass: never a final "fail" on a temporary error.
            return new DmarcResult(AuthResult.TEMPERROR, domain, policy, null, "an SPF or DKIM look-up failed temporarily");
        }
        String disposition = policy;
        if (record.percent() < 100 && random.getAsDouble() * 100 >= record.percent()) {
            // §6.6.4: a message outside pct= gets the next policy down.
            disposition = policy.equals("reject") ? "quarantine" : "none";
        }
        return new DmarcResult(AuthResult.FAIL, domain, policy, disposition, "no aligned SPF or DKIM pass");
    }

    private boolean aligned(String identifier, String fromDomain, String fromOrg, boolean strict) {
        if (identifier == null) {
            return false;
        }
        if (identifier.equalsIgnoreCase(fromDomain)) {
            return true;
        }
        if (strict) {
            return false;
        }
        try {
            return organizationalDomain(identifier, treeWalk(identifier)).equals(fromOrg);
        } catch (IOException e) {
            return false;
        }
    }

    record Found(String name, DmarcRecord record) {
    }

    /** The DMARC records from {@code domain} upwards, nearest first (DMARCbis §4.10.1). */
    private List<Found> treeWalk(String domain) throws IOException {
        List<Found> found = new ArrayList<>();
        String[] labels = domain.split("\\.");
        List<String> names = new ArrayList<>();
        names.add(domain);
        // Past 8 labels, jump to the last 7 so the walk asks at most 8 names.
        int start = labels.length > MAX_TREE_WALK ? labels.length - (MAX_TREE_WALK - 1) : 1;
        for (int i = start; i < labels.length; i++) {
            names.add(String.join(".", java.util.Arrays.copyOfRange(labels, i, labels.length)));
        }
        for (String name : names) {
            Object r = lookup(name);
            if (r instanceof DmarcRecord record) {
                found.add(new Found(name, record));
                if (record.psd() == 'n') {
                    break; // this is the organizational domain; nothing above it matters
                }
            }
        }
        return found;
    }

    private Object lookup(String name) throws IOException {
        Object cached = cache.get(name);
        if (cached instanceof IOException e) {
            throw e;
        }
        if (cached != null) {
            return cached;
        }
        List<DmarcRecord> records = new ArrayList<>();
        try {
            for (String txt : dns.txt("_dmarc." + name)) {
                DmarcRecord r = DmarcRecord.parse(txt);
                if (r != null || txt.startsWith("v=DMARC1")) {
                    records.add(r);
                }
            }
        } catch (IOException e) {
            cache.put(name, e);
            throw e;
        }
        // §6.6.3: several DMARC records at one name count as none.
        Object result = records.size() == 1 && records.get(0) != null ? records.get(0) : NO_RECORD;
        cache.put(name, result);
        return result;
    }

    /** DMARCbis §4.10.2: psd=n marks it, psd=y is one label below, otherwise the record with the fewest labels. */
    private static String organizationalDomain(String domain, List<Found> walk) {
        if (walk.isEmpty()) {
            return domain;
        }
        for (Found f : walk) {
            if (f.record().psd() == 'n') {
                return f.name();
            }
            if (f.record().psd() == 'y') {
                if (f.name().equals(domain)) {
                    return domain;
                }
                String below = domain.substring(0, domain.length() - f.name().length() - 1);
                return below.substring(below.lastIndexOf('.') + 1) + "." + f.name();
            }
        }
        return walk.get(walk.size() - 1).name();
    }
}
