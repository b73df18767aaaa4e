package io.sealmail.engine.delivery.policy;

import org.xbill.DNS.DClass;
import org.xbill.DNS.DNSKEYRecord;
import org.xbill.DNS.DNSSEC;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.NSECRecord;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.RRSIGRecord;
import org.xbill.DNS.RRset;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.TLSARecord;
import org.xbill.DNS.Type;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A tiny authoritative DNS server (UDP) for one zone signed with dnsjava's DNSSEC code: ECDSA P-256 (algorithm 13), one
 * key serving as KSK and ZSK, an NSEC chain for denial of existence. dnsmasq cannot sign, so DANE's "secure" answers
 * come from here; {@link Tamper} makes it answer the way an attacker on the path would.
 */
public final class SignedZoneServer implements AutoCloseable {
    public enum Tamper {
        /** Answers as signed. */
        NONE,
        /** TLSA records changed after signing: their signatures no longer verify (bogus). */
        ALTER_TLSA,
        /** No RRSIG records at all, as if the zone were unsigned (bogus under a trust anchor). */
        STRIP_SIGNATURES
    }

    private static final long TTL = 300;

    private final Name origin;
    private final DNSKEYRecord key;
    private final Map<String, RRset> rrsets = new LinkedHashMap<>();
    private final Map<String, RRSIGRecord> signatures = new LinkedHashMap<>();
    private final TreeMap<Name, NSECRecord> nsec = new TreeMap<>();
    private final DatagramSocket socket;
    private final Thread thread;
    public volatile Tamper tamper = Tamper.NONE;

    public SignedZoneServer(String address, Name origin, List<Record> records) throws Exception {
        this.origin = origin;
        KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
        gen.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair pair = gen.generateKeyPair();
        key = new DNSKEYRecord(origin, DClass.IN, TTL, DNSKEYRecord.Flags.ZONE_KEY | DNSKEYRecord.Flags.SEP_KEY,
                DNSKEYRecord.Protocol.DNSSEC, DNSSEC.Algorithm.ECDSAP256SHA256, pair.getPublic());
        Name ns = Name.fromString("ns", origin);
        List<Record> all = new ArrayList<>(records);
        all.add(new SOARecord(origin, DClass.IN, TTL, ns, Name.fromString("hostmaster", origin), 1, 3600, 600, 86400, TTL));
        all.add(new NSRecord(origin, DClass.IN, TTL, ns));
        all.add(key);
        for (Record r : all) {
            rrsets.computeIfAbsent(key(r.getName(), r.getType()), k -> new RRset()).addRR(r);
        }
        // NSEC chain: each owner name points to the next in canonical order, listing its types
        TreeMap<Name, TreeSet<Integer>> types = new TreeMap<>();
        for (Record r : all) {
            types.computeIfAbsent(r.getName(), n -> new TreeSet<>()).add(r.getType());
        }
        List<Name> names = new ArrayList<>(types.keySet());
        for (int i = 0; i < names.size(); i++) {
            Name owner = names.get(i);
            TreeSet<Integer> present = types.get(owner);
            present.add(Type.RRSIG);
            present.add(Type.NSEC);
            Name next = names.get((i + 1) % names.size());
            NSECRecord record = new NSECRecord(owner, DClass.IN, TTL, next, present.stream().mapToInt(Integer::intValue).toArray());
            nsec.put(owner, record);
            rrsets.put(key(owner, Type.NSEC), new RRset(record));
        }
        Instant now = Instant.now();
        for (Map.Entry<String, RRset> e : rrsets.entrySet()) {
            signatures.put(e.getKey(), DNSSEC.sign(e.getValue(), key, pair.getPrivate(), now.minus(Duration.ofHours(1)),
                    now.plus(Duration.ofDays(1))));
        }
        socket = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(address), 0));
        thread = new Thread(this::serve, "signed-zone-" + origin);
        thread.setDaemon(true);
        thread.start();
    }

    private static String key(Name name, int type) {
        return name.toString().toLowerCase() + "/" + type;
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    /** The zone's key in zone-file form, as a resolver's trust anchor file holds it. */
    public String trustAnchor() {
        return key.toString() + "\n";
    }

    private void serve() {
        byte[] buf = new byte[4096];
        while (!socket.isClosed()) {
            try {
                DatagramPacket packet = new DatagramPacket(buf, buf.length);
                socket.receive(packet);
                byte[] answer = answer(new Message(java.util.Arrays.copyOf(packet.getData(), packet.getLength()))).toWire(4096);
                socket.send(new DatagramPacket(answer, answer.length, packet.getSocketAddress()));
            } catch (SocketException closed) {
                return;
            } catch (IOException malformed) {
                // ignore a query we cannot parse, as a real server would
            }
        }
    }

    private Message answer(Message query) {
        Message response = new Message(query.getHeader().getID());
        response.getHeader().setFlag(Flags.QR);
        response.getHeader().setFlag(Flags.AA);
        if (query.getHeader().getFlag(Flags.RD)) {
            response.getHeader().setFlag(Flags.RD);
        }
        Record question = query.getQuestion();
        response.addRecord(question, Section.QUESTION);
        if (query.getOPT() != null) {
            response.addRecord(new org.xbill.DNS.OPTRecord(4096, 0, 0, org.xbill.DNS.ExtendedFlags.DO), Section.ADDITIONAL);
        }
        Name qname = question.getName();
        int qtype = question.getType();
        if (!qname.subdomain(origin)) {
            response.getHeader().setRcode(Rcode.REFUSED);
            return response;
        }
        RRset found = rrsets.get(key(qname, qtype));
        if (found != null) {
            addSigned(response, Section.ANSWER, qname, qtype);
            return response;
        }
        addSigned(response, Section.AUTHORITY, origin, Type.SOA);
        if (nsec.containsKey(qname)) {
            addSigned(response, Section.AUTHORITY, qname, Type.NSEC); // NODATA: the name's NSEC lacks the type
            return response;
        }
        response.getHeader().setRcode(Rcode.NXDOMAIN);
        Name covering = covering(qname);
        addSigned(response, Section.AUTHORITY, covering, Type.NSEC);
        Name wildcardCover = covering(Name.fromConstantString("*." + origin));
        if (!wildcardCover.equals(covering)) {
            addSigned(response, Section.AUTHORITY, wildcardCover, Type.NSEC);
        }
        return response;
    }

    /** The owner of the NSEC record whose span covers {@code name}. */
    private Name covering(Name name) {
        Name lower = nsec.lowerKey(name);
        return lower != null ? lower : nsec.lastKey();
    }

    private void addSigned(Message response, int section, Name name, int type) {
        String k = key(name, type);
        for (Record r : rrsets.get(k).rrs(false)) {
            if (tamper == Tamper.ALTER_TLSA && r instanceof TLSARecord t) {
                byte[] data = t.getCertificateAssociationData().clone();
                data[0] ^= 1;
                r = new TLSARecord(t.getName(), DClass.IN, t.getTTL(), t.getCertificateUsage(), t.getSelector(),
                        t.getMatchingType(), data);
            }
            response.addRecord(r, section);
        }
        if (tamper != Tamper.STRIP_SIGNATURES) {
            response.addRecord(signatures.get(k), section);
        }
    }

    @Override
    public void close() throws InterruptedException {
        socket.close();
        thread.join(10_000);
    }
}
