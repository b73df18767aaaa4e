package io.sealmail.ship;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns API requests into the RBAC terms the API server authorizes them by (verb, API group, resource with
 * subresource, namespace) and checks them against a ClusterRole and a namespaced Role, as the authorizer would.
 */
final class RbacAudit {
    /** What the API server asks RBAC about for one request. */
    record Access(String verb, String group, String resource, String namespace) implements Comparable<Access> {
        @Override
        public String toString() {
            return verb + " " + (group.isEmpty() ? "core" : group) + "/" + resource + (namespace == null ? "" : " in " + namespace);
        }

        String grant() {
            return verb + " " + (group.isEmpty() ? "core" : group) + "/" + resource;
        }

        @Override
        public int compareTo(Access o) {
            return toString().compareTo(o.toString());
        }
    }

    // /api/v1[/namespaces/NS]/RESOURCE[/NAME[/SUB]] or /apis/GROUP/VERSION[/namespaces/NS]/RESOURCE[/NAME[/SUB]]
    private static final Pattern PATH = Pattern.compile(
            "^/(?:api/v1|apis/([^/]+)/[^/]+)(?:/namespaces/([^/]+))?/([^/?]+)(?:/([^/?]+)(?:/([^/?]+))?)?(?:\\?(.*))?$");

    /**
     * Granted to every authenticated user by Kubernetes's default roles (system:basic-user, system:discovery):
     * the SDK's leader election asks a SelfSubjectRulesReview whether it may use Leases.
     */
    private static final Set<String> DEFAULT_GRANTS = Set.of("create authorization.k8s.io/selfsubjectrulesreviews");

    private RbacAudit() {
    }

    /** Null for non-resource URLs ({@code /version}, discovery), which every user may read. */
    static Access access(String method, String path) {
        Matcher m = PATH.matcher(path);
        if (!m.matches()) {
            return null;
        }
        String group = m.group(1) == null ? "" : m.group(1);
        String namespace = m.group(2);
        String resource = m.group(3);
        String name = m.group(4);
        String sub = m.group(5);
        String query = m.group(6) == null ? "" : m.group(6);
        String verb = switch (method) {
            case "GET" -> name == null ? (query.matches("(.*&)?watch=(true|1)(&.*)?") ? "watch" : "list") : "get";
            case "POST" -> "create";
            case "PUT" -> "update";
            case "PATCH" -> "patch";
            case "DELETE" -> name == null ? "deletecollection" : "delete";
            default -> method.toLowerCase();
        };
        return new Access(verb, group, sub == null ? resource : resource + "/" + sub, namespace);
    }

    /** The accesses neither role grants; {@code leaseNamespace} is where the Role is bound. */
    static Set<Access> denied(Iterable<Access> accesses, JsonNode clusterRole, JsonNode role, String leaseNamespace) {
        Set<Access> denied = new TreeSet<>();
        for (Access a : accesses) {
            boolean granted = DEFAULT_GRANTS.contains(a.grant()) || allows(clusterRole, a)
                    || (leaseNamespace.equals(a.namespace()) && allows(role, a));
            if (!granted) {
                denied.add(a);
            }
        }
        return denied;
    }

    static boolean allows(JsonNode role, Access a) {
        for (JsonNode rule : role.path("rules")) {
            if (Manifests.contains(rule.path("apiGroups"), a.group()) && Manifests.contains(rule.path("resources"), a.resource())
                    && Manifests.contains(rule.path("verbs"), a.verb())) {
                return true;
            }
        }
        return false;
    }

    /** Every (verb, group/resource) a role grants, for comparing with what was used. */
    static Set<String> grants(JsonNode role) {
        Set<String> grants = new TreeSet<>();
        for (JsonNode rule : role.path("rules")) {
            for (JsonNode g : rule.path("apiGroups")) {
                for (JsonNode r : rule.path("resources")) {
                    for (JsonNode v : rule.path("verbs")) {
                        grants.add(new Access(v.asText(), g.asText(), r.asText(), null).grant());
                    }
                }
            }
        }
        return grants;
    }

    static List<String> used(Iterable<Access> accesses) {
        Set<String> used = new TreeSet<>();
        accesses.forEach(a -> used.add(a.grant()));
        return List.copyOf(used);
    }
}
