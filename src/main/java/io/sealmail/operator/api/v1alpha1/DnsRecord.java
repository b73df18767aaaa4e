package io.sealmail.operator.api.v1alpha1;

import java.util.Objects;

/**
 * One DNS record the user must publish, in zone-file presentation form: {@code name} without the trailing dot,
 * {@code value} as it follows the type in a zone file (TXT values quoted and cut into 255-octet strings, host names
 * in MX values ending with a dot).
 */
public class DnsRecord {
    public String name;
    public String type;
    public String value;

    public DnsRecord() {
    }

    public DnsRecord(String name, String type, String value) {
        this.name = name;
        this.type = type;
        this.value = value;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DnsRecord r && Objects.equals(name, r.name) && Objects.equals(type, r.type)
                && Objects.equals(value, r.value);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, type, value);
    }

    @Override
    public String toString() {
        return name + " " + type + " " + value;
    }
}
