package io.sealmail.ship;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.lib.jse.JsePlatform;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs the shipped Lua health check (argocd/health.lua) the way Argo CD does: the resource as the global {@code obj},
 * the script's return value a table of status and message.
 */
class ArgoCdHealthTest {
    record Health(String status, String message) {
    }

    static Health check(String yaml) throws Exception {
        Globals lua = JsePlatform.standardGlobals();
        lua.set("obj", toLua(Manifests.YAML.readTree(yaml)));
        LuaValue result = lua.load(Files.readString(Path.of("argocd/health.lua")), "health.lua").call();
        return new Health(result.get("status").tojstring(), result.get("message").tojstring());
    }

    /** JSON to Lua as Argo CD's gopher-lua conversion does: objects and arrays as tables, arrays 1-based. */
    static LuaValue toLua(JsonNode n) {
        if (n.isObject()) {
            LuaTable t = new LuaTable();
            for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
                var e = it.next();
                t.set(e.getKey(), toLua(e.getValue()));
            }
            return t;
        }
        if (n.isArray()) {
            LuaTable t = new LuaTable();
            for (int i = 0; i < n.size(); i++) {
                t.set(i + 1, toLua(n.get(i)));
            }
            return t;
        }
        if (n.isIntegralNumber()) {
            return LuaValue.valueOf(n.asLong());
        }
        if (n.isNumber()) {
            return LuaValue.valueOf(n.asDouble());
        }
        if (n.isBoolean()) {
            return LuaValue.valueOf(n.asBoolean());
        }
        return n.isNull() ? LuaValue.NIL : LuaValue.valueOf(n.asText());
    }

    static String mailServer(long generation, String status) {
        return """
                apiVersion: sealmail.io/v1alpha1
                kind: MailServer
                metadata: {name: mail, namespace: mail, generation: %d}
                spec: {hostname: mail.example.com, domains: [example.com]}
                """.formatted(generation) + status;
    }

    @Test
    void readyTrueIsHealthy() throws Exception {
        Health h = check(mailServer(3, """
                status:
                  observedGeneration: 3
                  conditions:
                    - {type: Ready, status: "True", reason: Ready, message: "serving on 5 ports", observedGeneration: 3}
                    - {type: Degraded, status: "False", reason: AsExpected, observedGeneration: 3}
                """));
        assertThat(h).isEqualTo(new Health("Healthy", "Ready: serving on 5 ports"));
    }

    @Test
    void degradedTrueIsDegradedEvenWhenReady() throws Exception {
        Health h = check(mailServer(2, """
                status:
                  observedGeneration: 2
                  conditions:
                    - {type: Ready, status: "True", reason: Ready}
                    - {type: Degraded, status: "True", reason: CaUnusable, message: "sealmail-ca: certificate expired"}
                """));
        assertThat(h).isEqualTo(new Health("Degraded", "CaUnusable: sealmail-ca: certificate expired"));
    }

    @Test
    void readyFalseIsProgressingWithTheReason() throws Exception {
        Health h = check(mailServer(1, """
                status:
                  observedGeneration: 1
                  conditions:
                    - {type: Ready, status: "False", reason: PodsNotReady, message: "0/1 pods ready"}
                """));
        assertThat(h).isEqualTo(new Health("Progressing", "PodsNotReady: 0/1 pods ready"));
    }

    @Test
    void noStatusOrNoConditionsIsProgressing() throws Exception {
        assertThat(check(mailServer(1, "")).status()).isEqualTo("Progressing");
        assertThat(check(mailServer(1, "status: {observedGeneration: 1}\n")).status()).isEqualTo("Progressing");
        assertThat(check(mailServer(1, "status: {conditions: []}\n")).status()).isEqualTo("Progressing");
    }

    @Test
    void aStatusForAnOlderGenerationIsProgressing() throws Exception {
        Health h = check(mailServer(5, """
                status:
                  observedGeneration: 4
                  conditions:
                    - {type: Ready, status: "True", reason: Ready, observedGeneration: 4}
                """));
        assertThat(h.status()).isEqualTo("Progressing");
        assertThat(h.message()).contains("generation 5");
        // A stale Degraded condition does not outlive the spec change that may have fixed it.
        Health stale = check(mailServer(5, """
                status:
                  observedGeneration: 5
                  conditions:
                    - {type: Degraded, status: "True", reason: CaUnusable, observedGeneration: 4}
                    - {type: Ready, status: "False", reason: Reconciling, observedGeneration: 5}
                """));
        assertThat(stale.status()).isEqualTo("Progressing");
    }

    @Test
    void theDocumentedArgoCdConfigEmbedsTheTestedScript() throws Exception {
        String cm = Files.readString(Path.of("argocd/argocd-cm-patch.yaml"));
        JsonNode data = Manifests.YAML.readTree(cm).path("data");
        assertThat(data.path("resource.customizations.health.sealmail.io_MailServer").asText())
                .isEqualTo(Files.readString(Path.of("argocd/health.lua")));
    }
}
