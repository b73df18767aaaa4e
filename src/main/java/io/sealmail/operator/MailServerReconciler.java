package io.sealmail.operator;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.Workflow;
import io.javaoperatorsdk.operator.api.reconciler.dependent.Dependent;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.WorkflowReconcileResult;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.quarkiverse.operatorsdk.annotations.RBACRule;
import io.sealmail.ca.CaException;
import io.sealmail.ca.RenewalPolicy;
import io.sealmail.operator.api.v1alpha1.CertificateStatus;
import io.sealmail.operator.api.v1alpha1.Endpoint;
import io.sealmail.operator.api.v1alpha1.MailServer;
import io.sealmail.operator.api.v1alpha1.MailServerStatus;
import io.sealmail.operator.api.v1alpha1.Protocol;
import io.sealmail.operator.api.v1alpha1.ServiceSpec;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PostConstruct;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * Turns a MailServer into its CA, certificate, accounts, config, StatefulSet and Services (the workflow below, run
 * by the SDK before {@link #reconcile}), then reports what it observed as status conditions. It never writes spec,
 * and writes status only when an observation changed.
 */
@ControllerConfiguration(name = MailServerReconciler.NAME)
@Workflow(handleExceptionsInReconciler = true, dependents = {
        @Dependent(name = CaSecretDependent.NAME, type = CaSecretDependent.class,
                reconcilePrecondition = TlsSecretDependent.IssuerIsCa.class,
                readyPostcondition = CaSecretDependent.Usable.class),
        @Dependent(name = TlsSecretDependent.NAME, type = TlsSecretDependent.class,
                dependsOn = CaSecretDependent.NAME,
                reconcilePrecondition = TlsSecretDependent.IssuerIsCa.class),
        @Dependent(name = AccountsSecretDependent.NAME, type = AccountsSecretDependent.class,
                readyPostcondition = AccountsSecretDependent.Written.class),
        @Dependent(name = DkimSecretDependent.NAME, type = DkimSecretDependent.class),
        @Dependent(name = EngineConfigMapDependent.NAME, type = EngineConfigMapDependent.class),
        @Dependent(name = EngineStatefulSetDependent.NAME, type = EngineStatefulSetDependent.class,
                dependsOn = {EngineConfigMapDependent.NAME, AccountsSecretDependent.NAME, DkimSecretDependent.NAME},
                readyPostcondition = EngineStatefulSetDependent.PodsReady.class),
        @Dependent(name = MailServiceDependent.NAME, type = MailServiceDependent.class),
        @Dependent(name = HeadlessServiceDependent.NAME, type = HeadlessServiceDependent.class),
        @Dependent(name = InternalServiceDependent.NAME, type = InternalServiceDependent.class,
                reconcilePrecondition = InternalServiceDependent.Wanted.class),
})
@RBACRule(apiGroups = "", resources = "events", verbs = {"create"})
@RBACRule(apiGroups = "", resources = "pods", verbs = {"get"})
@RBACRule(apiGroups = "", resources = "persistentvolumeclaims", verbs = {"get", "patch"})
@RBACRule(apiGroups = "storage.k8s.io", resources = "storageclasses", verbs = {"get"})
@RBACRule(apiGroups = "coordination.k8s.io", resources = "leases", verbs = {"get", "create", "update", "patch"})
public class MailServerReconciler implements Reconciler<MailServer> {
    public static final String NAME = "mailserver";
    private static final Logger LOG = Logger.getLogger(MailServerReconciler.class);
    /** Re-check a user's certificate at least this often, so expiry warnings come in time. */
    private static final Duration RECHECK = Duration.ofHours(1);
    private static final Duration NOT_READY_RECHECK = Duration.ofMinutes(2);
    private static final Duration MAX_DELAY = Duration.ofHours(10);

    @Inject
    OperatorClock clock;
    @Inject
    OperatorSettings settings;
    @Inject
    EventRecorder events;
    @Inject
    MeterRegistry meters;

    /** Reconciles run so far; tests and the benchmark use it to know a reconcile happened. */
    private final AtomicLong reconciles = new AtomicLong();
    /** The same per MailServer, so a test can tell its own reconciles from others'; deleted ones are pruned. */
    private final Map<ResourceID, AtomicLong> reconcilesOf = new ConcurrentHashMap<>();
    private final AtomicLong statusWrites = new AtomicLong();

    @PostConstruct
    void registerMeters() {
        FunctionCounter.builder("sealmail.operator.reconciles", reconciles, AtomicLong::get)
                .description("MailServer reconciles that ran to the end").register(meters);
        FunctionCounter.builder("sealmail.operator.status.writes", statusWrites, AtomicLong::get)
                .description("Reconciles that changed a MailServer's status (none in a steady state)").register(meters);
    }

    public long reconcileCount() {
        return reconciles.get();
    }

    public long reconcileCount(String namespace, String name) {
        AtomicLong count = reconcilesOf.get(new ResourceID(name, namespace));
        return count == null ? 0 : count.get();
    }

    @Override
    public List<EventSource<?, MailServer>> prepareEventSources(EventSourceContext<MailServer> context) {
        return List.of(ReferencedSecrets.eventSource(context));
    }

    @Override
    public UpdateControl<MailServer> reconcile(MailServer ms, Context<MailServer> context) {
        Clock now = clock.clock();
        WorkflowReconcileResult workflow = context.managedWorkflowAndDependentResourceContext()
                .getWorkflowReconcileResult().orElse(WorkflowReconcileResult.EMPTY);
        Map<String, Exception> errors = new LinkedHashMap<>();
        workflow.getErroredDependents().forEach((d, e) -> errors.put(d.name(), e));
        errors.forEach((name, e) -> LOG.warnf("%s/%s: %s failed: %s", ms.getMetadata().getNamespace(),
                ms.getMetadata().getName(), name, e.getMessage()));

        MailServerStatus previous = ms.getStatus() == null ? new MailServerStatus() : ms.getStatus();
        Observation cert = observeCertificate(ms, context, errors, now);
        Observation accounts = observeAccounts(ms, context);
        Observation outbound = OutboundRoute.observe(ms, name -> ReferencedSecrets.get(context, ms, name));
        StatefulSet sts = context.getSecondaryResource(StatefulSet.class).orElse(null);
        int replicas = sts == null || sts.getSpec().getReplicas() == null ? 1 : sts.getSpec().getReplicas();
        int ready = sts == null || sts.getStatus() == null || sts.getStatus().getReadyReplicas() == null ? 0
                : sts.getStatus().getReadyReplicas();
        boolean available = sts != null && ready >= replicas;

        List<Observation> failures = new ArrayList<>();
        if (!cert.ok()) {
            failures.add(cert);
        }
        if (!accounts.ok()) {
            failures.add(accounts);
        }
        if (!outbound.ok()) {
            failures.add(outbound);
        }
        if (sts != null && !available) {
            EnginePods.problem(context.getClient(), sts).ifPresent(failures::add);
        }
        errors.entrySet().stream()
                .filter(e -> !e.getKey().equals(TlsSecretDependent.NAME)) // reported as IssuanceFailed
                .forEach(e -> failures.add(Observation.failed("ReconcileError", e.getKey() + ": " + e.getValue().getMessage())));
        // A certificate that is merely on its way is not a failure.
        List<Observation> degradations = failures.stream()
                .filter(o -> !o.reason().equals("CertificatePending") && !o.reason().equals("AccountsPending")).toList();

        long generation = ms.getMetadata().getGeneration() == null ? 0 : ms.getMetadata().getGeneration();
        ConditionList conditions = new ConditionList(previous.conditions, generation, now.instant());
        Observation readiness;
        if (!degradations.isEmpty()) {
            readiness = degradations.get(0);
        } else if (!cert.ok()) {
            readiness = cert;
        } else if (!accounts.ok()) {
            readiness = accounts;
        } else if (!available) {
            readiness = Observation.failed("PodsNotReady", ready + "/" + replicas + " pods ready");
        } else {
            readiness = Observation.fine("MailServerReady", "serving " + EngineConfigRenderer.ports(ms).stream()
                    .map(p -> p.id() + " " + p.role().standardPort()).collect(Collectors.joining(", "))
                    + " as " + ms.getSpec().hostname);
        }
        conditions.set(ConditionList.READY, readiness.ok(), readiness.reason(), readiness.message());
        conditions.set(ConditionList.CERTIFICATE_READY, cert.ok(), cert.reason(), cert.message());
        conditions.set(ConditionList.AVAILABLE, available, available ? "PodsReady" : "PodsNotReady",
                ready + "/" + replicas + " pods ready");
        String rollout = rollout(sts);
        conditions.set(ConditionList.PROGRESSING, rollout != null, rollout != null ? "RollingUpdate" : "RolloutComplete",
                rollout != null ? rollout : "all pods run the current configuration");
        if (degradations.isEmpty()) {
            conditions.set(ConditionList.DEGRADED, false, "AsExpected", "no problems found");
        } else {
            conditions.set(ConditionList.DEGRADED, true, degradations.get(0).reason(), degradations.stream()
                    .map(Observation::message).distinct().collect(Collectors.joining("; ")));
        }

        Observation addresses = clientAddresses(ms);
        conditions.set(ConditionList.CLIENT_ADDRESSES, addresses.ok(), addresses.reason(), addresses.message());
        Observation storage = sts == null ? Observation.fine(ConditionList.STORAGE, "no StatefulSet yet")
                : StorageClaim.observe(context.getClient(), ms, sts);
        conditions.set(ConditionList.STORAGE, storage.reason().equals(ConditionList.STORAGE), storage.reason(),
                storage.message());
        conditions.set(ConditionList.OUTBOUND, outbound.ok(), outbound.reason(), outbound.message());

        MailServerStatus next = new MailServerStatus();
        next.observedGeneration = generation;
        next.conditions = new ArrayList<>(conditions.build());
        next.certificate = cert.certificate() != null ? cert.certificate() : previous.certificate;
        next.endpoints = endpoints(ms, context);
        DnsRecords.Inputs dns = dnsInputs(ms, context);
        next.dns = DnsRecords.of(dns);
        next.mtaStsPolicy = DnsRecords.mtaStsPolicy(dns);

        Duration delay = delay(ms, next, readiness.ok(), now);
        var serialization = context.getClient().getKubernetesSerialization();
        try {
            // Not UpdateControl.patchStatus: see StatusPatch. Events only for a status that was written, so a write
            // given up for a newer spec does not announce what the next reconcile announces again.
            if (!Objects.equals(serialization.asJson(previous), serialization.asJson(next))
                    && StatusPatch.write(context, ms, next)) {
                statusWrites.incrementAndGet();
                recordEvents(ms, previous, next);
            }
        } finally {
            reconcilesOf.computeIfAbsent(ResourceID.fromResource(ms), id -> new AtomicLong()).incrementAndGet();
            if (reconciles.incrementAndGet() % 1024 == 0) {
                reconcilesOf.keySet().removeIf(id -> context.getPrimaryCache().get(id).isEmpty());
            }
        }
        return UpdateControl.<MailServer>noUpdate().rescheduleAfter(delay);
    }

    /**
     * A dependent that failed to write makes the SDK throw before {@link #reconcile} runs (the Quarkus extension does
     * not carry {@code handleExceptionsInReconciler} over); the workflow's result is in the context all the same, so
     * status is built the same way and names what failed ({@code ReconcileError}, or the user's mistake behind it),
     * while the SDK retries with back-off.
     */
    @Override
    public ErrorStatusUpdateControl<MailServer> updateErrorStatus(MailServer ms, Context<MailServer> context, Exception e) {
        try {
            reconcile(ms, context); // writes status itself (StatusPatch)
        } catch (KubernetesClientException writeFailed) {
            LOG.debugf("%s/%s: status not written: %s", ms.getMetadata().getNamespace(), ms.getMetadata().getName(),
                    writeFailed.getMessage());
        }
        return ErrorStatusUpdateControl.noStatusUpdate();
    }

    /** One finding: fine, or failed with a condition reason and a message a person can act on. */
    record Observation(boolean ok, String reason, String message, CertificateStatus certificate) {
        static Observation fine(String reason, String message) {
            return new Observation(true, reason, message, null);
        }

        static Observation failed(String reason, String message) {
            return new Observation(false, reason, message, null);
        }
    }

    private Observation observeCertificate(MailServer ms, Context<MailServer> context, Map<String, Exception> errors,
                                           Clock now) {
        String hostname = ms.getSpec().hostname;
        if (CertificateRequest.issuedByCa(ms)) {
            Secret caSecret = CaSecretDependent.current(context, ms).orElse(null);
            NamespaceCa ca = NamespaceCa.load(caSecret, now);
            if (!ca.usable()) {
                return Observation.failed(caSecret == null ? "CaSecretNotFound" : "CaSecretInvalid",
                        ca.problem() + "; nothing is issued until it is fixed or deleted (then a new CA is made)");
            }
            if (errors.containsKey(TlsSecretDependent.NAME)) {
                return Observation.failed("IssuanceFailed", errors.get(TlsSecretDependent.NAME).getMessage());
            }
            Secret tls = context.getSecondaryResource(Secret.class, TlsSecretDependent.NAME).orElse(null);
            if (tls == null) {
                return Observation.failed("CertificatePending", "Secret " + Names.tlsSecret(ms) + " is being issued");
            }
            try {
                ServingCertificate served = ServingCertificate.read(tls);
                Duration renewBefore = CertificateRequest.renewBefore(ms);
                RenewalPolicy policy = renewBefore == null ? new RenewalPolicy(now) : new RenewalPolicy(now, renewBefore);
                Instant renewal = policy.renewalTime(served.leaf());
                CertificateStatus status = status(Names.tlsSecret(ms), served, renewal);
                return new Observation(true, "CertificateIssued", "issued by the namespace CA, valid until "
                        + served.notAfter() + ", renews at " + renewal, status);
            } catch (CaException e) {
                return Observation.failed("IssuanceFailed", e.getMessage());
            }
        }
        String name = ms.getSpec().tls.secretName;
        Secret user = ReferencedSecrets.get(context, ms, name).orElse(null);
        if (user == null) {
            return Observation.failed("CertificateSecretNotFound", "Secret " + name + " (tls.secretName) not found in namespace "
                    + ms.getMetadata().getNamespace());
        }
        ServingCertificate served;
        try {
            served = ServingCertificate.read(user);
        } catch (CaException e) {
            return Observation.failed("CertificateInvalid", "Secret " + name + ": " + e.getMessage());
        }
        CertificateStatus status = status(name, served, null);
        ServingCertificate.Invalid invalid = served.problemServing(hostname, now);
        if (invalid != null) {
            return new Observation(false, invalid.reason(), "Secret " + name + ": " + invalid.message(), status);
        }
        Duration lifetime = Duration.between(served.notBefore(), served.notAfter());
        Duration left = Duration.between(now.instant(), served.notAfter());
        Duration warnAt = CertificateRequest.renewBefore(ms) != null ? CertificateRequest.renewBefore(ms)
                : lifetime.dividedBy(3);
        if (left.compareTo(warnAt) < 0) {
            return new Observation(true, "CertificateExpiring", "Secret " + name + " expires at " + served.notAfter()
                    + " and has not been renewed; check whoever manages it (e.g. cert-manager)", status);
        }
        return new Observation(true, "CertificateValid", "Secret " + name + " is valid until " + served.notAfter(), status);
    }

    private static CertificateStatus status(String secret, ServingCertificate served, Instant renewal) {
        CertificateStatus s = new CertificateStatus();
        s.secretName = secret;
        s.dnsNames = served.dnsNames();
        s.notBefore = served.notBefore().toString();
        s.notAfter = served.notAfter().toString();
        s.serial = served.serial();
        s.renewalTime = renewal == null ? null : renewal.toString();
        s.issuer = served.issuer();
        return s;
    }

    private Observation observeAccounts(MailServer ms, Context<MailServer> context) {
        if (ms.getSpec().accounts == null) {
            return Observation.fine("NoAccounts", "no accounts Secret: the server receives mail, nobody logs in");
        }
        String name = ms.getSpec().accounts.secretName;
        if (AccountsSecretDependent.nameConflict(ms)) {
            // The operator writes the engine's hashed accounts file under this name; it cannot be the input too.
            return Observation.failed("AccountsSecretNameConflict", "Secret " + name + " (accounts.secretName) has the name of"
                    + " the accounts file the operator writes for the engine; rename your Secret, e.g. to "
                    + ms.getMetadata().getName() + "-users (until then nothing is changed: running pods keep the"
                    + " accounts they have)");
        }
        Secret user = ReferencedSecrets.get(context, ms, name).orElse(null);
        if (user == null) {
            return Observation.failed("AccountsSecretNotFound", "Secret " + name + " (accounts.secretName) not found in namespace "
                    + ms.getMetadata().getNamespace());
        }
        AccountsFile.Entries entries = AccountsFile.entries(user.getData(), ms.getSpec().domains);
        if (!entries.problems().isEmpty()) {
            return Observation.failed("AccountsSecretInvalid", "Secret " + name + ": " + entries.problems().stream()
                    .map(AccountsFile.Problem::describe).collect(Collectors.joining("; "))
                    + " (skipped; the other accounts are served)");
        }
        // The accounts file may lag the user's Secret by one reconcile; say so rather than claim it is loaded.
        Set<String> wanted = entries.passwords().keySet();
        Set<String> written = context.getSecondaryResource(Secret.class, AccountsSecretDependent.NAME)
                .map(s -> AccountsFile.parse(NamespaceCa.text(s.getData(), EngineContainer.ACCOUNTS_KEY)).keySet())
                .orElse(Set.of());
        if (!written.equals(wanted)) {
            return Observation.failed("AccountsPending", "writing Secret " + Names.accountsSecret(ms));
        }
        return Observation.fine("AccountsLoaded", wanted.size() + " accounts from Secret " + name);
    }

    /**
     * With NodePort or LoadBalancer and {@code externalTrafficPolicy: Cluster}, kube-proxy rewrites every client to a
     * node's address: one client over its limit throttles everyone behind the same node.
     */
    private static Observation clientAddresses(MailServer ms) {
        ServiceSpec service = ms.getSpec().service == null ? new ServiceSpec() : ms.getSpec().service;
        if (EngineContainer.proxyProtocol(ms)) {
            return Observation.fine("ProxyProtocol", "the load balancer names each client in a PROXY header,"
                    + " accepted from " + String.join(", ", service.trustedProxies) + " only");
        }
        if (service.type == null || service.type == ServiceSpec.Type.ClusterIP) {
            return Observation.fine("ClusterIP", "in-cluster clients connect with their own pod addresses");
        }
        if (MailServiceDependent.trafficPolicy(service) == ServiceSpec.TrafficPolicy.Local) {
            return Observation.fine("ExternalTrafficPolicyLocal", "the " + service.type + " Service keeps clients' addresses");
        }
        return Observation.failed("ExternalTrafficPolicyCluster", "the " + service.type + " Service has"
                + " externalTrafficPolicy Cluster: clients reach the engine from node addresses, so the per-address"
                + " connection limit and the AUTH throttle count every client behind a node as one; set"
                + " spec.service.externalTrafficPolicy: Local (the default)");
    }

    /** What is still rolling out, or null when the pods run the current template. */
    private static String rollout(StatefulSet sts) {
        if (sts == null) {
            return "creating StatefulSet";
        }
        var status = sts.getStatus();
        if (status == null || status.getObservedGeneration() == null
                || status.getObservedGeneration() < sts.getMetadata().getGeneration()) {
            return "waiting for the StatefulSet controller";
        }
        if (status.getUpdateRevision() != null && !status.getUpdateRevision().equals(status.getCurrentRevision())) {
            return "updating pods to revision " + status.getUpdateRevision();
        }
        return null;
    }

    private List<Endpoint> endpoints(MailServer ms, Context<MailServer> context) {
        Service svc = context.getSecondaryResource(Service.class, MailServiceDependent.NAME).orElse(null);
        // In the cluster: the Service without PROXY headers (the main one expects them behind a PROXY balancer).
        String host = (EngineContainer.proxyProtocol(ms) ? Names.internalService(ms) : Names.service(ms))
                + "." + ms.getMetadata().getNamespace() + ".svc";
        if (svc != null && svc.getStatus() != null && svc.getStatus().getLoadBalancer() != null
                && svc.getStatus().getLoadBalancer().getIngress() != null
                && !svc.getStatus().getLoadBalancer().getIngress().isEmpty()) {
            var ingress = svc.getStatus().getLoadBalancer().getIngress().get(0);
            host = ingress.getHostname() != null ? ingress.getHostname() : ingress.getIp();
        }
        String h = host;
        String internal = Names.internalService(ms) + "." + ms.getMetadata().getNamespace() + ".svc";
        return EngineConfigRenderer.ports(ms).stream()
                .map(p -> new Endpoint(p.id(), p.role().standardPort(), p == Protocol.LMTP ? internal : h))
                .toList();
    }

    /** What status.dns is computed from: the spec, the Service's external addresses, the DKIM keys, the served key. */
    private static DnsRecords.Inputs dnsInputs(MailServer ms, Context<MailServer> context) {
        List<String> addresses = new ArrayList<>();
        context.getSecondaryResource(Service.class, MailServiceDependent.NAME)
                .filter(svc -> svc.getStatus() != null && svc.getStatus().getLoadBalancer() != null
                        && svc.getStatus().getLoadBalancer().getIngress() != null)
                .ifPresent(svc -> svc.getStatus().getLoadBalancer().getIngress().stream()
                        .map(io.fabric8.kubernetes.api.model.LoadBalancerIngress::getIp)
                        .filter(Objects::nonNull).distinct().forEach(addresses::add));
        Secret dkim = DkimSecretDependent.current(context, ms).orElse(null);
        List<DnsRecords.DkimPublication> keys;
        try {
            keys = DkimSecretDependent.publications(ms, dkim);
        } catch (CaException e) {
            LOG.warnf("%s/%s: %s: %s", ms.getMetadata().getNamespace(), ms.getMetadata().getName(),
                    Names.dkimSecret(ms), e.getMessage());
            keys = List.of();
        }
        Secret tls = CertificateRequest.issuedByCa(ms)
                ? context.getSecondaryResource(Secret.class, TlsSecretDependent.NAME).orElse(null)
                : ReferencedSecrets.get(context, ms, ms.getSpec().tls.secretName).orElse(null);
        byte[] spki = null;
        if (tls != null) {
            try {
                spki = ServingCertificate.read(tls).leaf().getPublicKey().getEncoded();
            } catch (CaException e) {
                // reported by the certificate condition
            }
        }
        return new DnsRecords.Inputs(ms.getSpec().domains, ms.getSpec().hostname, ms.getSpec().dns, keys, addresses, spki);
    }

    private void recordEvents(MailServer ms, MailServerStatus before, MailServerStatus after) {
        String oldSerial = before.certificate == null ? null : before.certificate.serial;
        String newSerial = after.certificate == null ? null : after.certificate.serial;
        if (newSerial != null && !newSerial.equals(oldSerial)) {
            boolean ours = CertificateRequest.issuedByCa(ms);
            String reason = oldSerial == null ? (ours ? "CertificateIssued" : "CertificateLoaded")
                    : (ours ? "CertificateRenewed" : "CertificateUpdated");
            events.record(ms, EventRecorder.NORMAL, reason, "certificate " + newSerial + " for "
                    + String.join(", ", after.certificate.dnsNames) + ", valid until " + after.certificate.notAfter);
        }
        Set<String> warned = new HashSet<>();
        for (Condition c : after.conditions) {
            if (!ConditionList.changed(before.conditions, c)) {
                continue;
            }
            boolean failure = (c.getType().equals(ConditionList.DEGRADED) && c.getStatus().equals("True"))
                    || (c.getType().equals(ConditionList.CLIENT_ADDRESSES) && c.getStatus().equals("False"))
                    || (c.getType().equals(ConditionList.STORAGE) && !c.getReason().equals(ConditionList.STORAGE)
                    && !c.getReason().equals("StorageResizing"))
                    || (c.getType().equals(ConditionList.CERTIFICATE_READY)
                    && (c.getStatus().equals("False") && !c.getReason().equals("CertificatePending")
                    || c.getReason().equals("CertificateExpiring")));
            if (failure && warned.add(c.getReason())) {
                events.record(ms, EventRecorder.WARNING, c.getReason(), c.getMessage());
            } else if (c.getType().equals(ConditionList.READY) && c.getStatus().equals("True")) {
                events.record(ms, EventRecorder.NORMAL, c.getReason(), c.getMessage());
            }
        }
    }

    /** Next look: at the certificate's renewal time, sooner while not ready, never later than the SDK's maximum. */
    private static Duration delay(MailServer ms, MailServerStatus status, boolean ready, Clock now) {
        Duration delay = ready ? MAX_DELAY : NOT_READY_RECHECK;
        if (status.certificate != null && status.certificate.renewalTime != null) {
            Duration untilRenewal = Duration.between(now.instant(), Instant.parse(status.certificate.renewalTime))
                    .plusSeconds(1);
            delay = untilRenewal.compareTo(delay) < 0 ? untilRenewal : delay;
        } else if (!CertificateRequest.issuedByCa(ms)) {
            delay = delay.compareTo(RECHECK) < 0 ? delay : RECHECK;
        }
        return delay.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : delay;
    }
}
