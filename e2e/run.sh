#!/usr/bin/env bash
# Sealmail on a real cluster: install the operator with the Helm chart, apply examples/accounts.yaml, wait for
# Ready, then from a client pod inside the cluster submit mail over 587 (STARTTLS) and 465 and read it back over 993
# and 995 with curl, trusting only ca.crt from the mail-tls Secret and checking the Service's DNS name. Then a
# certificate renewal and a new user reach the running pod without a restart. See e2e/README.md.
#
# Needs: KUBECONFIG pointing at a cluster where the image can be pulled (kind: load it first), kubectl, helm.
# Not run by CI; without KUBECONFIG it says so and exits 0.
set -euo pipefail

if [ -z "${KUBECONFIG:-}" ]; then
  echo "e2e: KUBECONFIG is not set: skipping the real-cluster suite (see e2e/README.md)"
  exit 0
fi

cd "$(dirname "$0")/.."
IMAGE=${IMAGE:-ghcr.io/sealmail/sealmail:0.1.0}          # operator and engine image, already pullable by the nodes
CLIENT_IMAGE=${CLIENT_IMAGE:-curlimages/curl:8.11.0}      # any image with curl (OpenSSL backend) and sleep
OPERATOR_NS=${OPERATOR_NS:-sealmail-system}
NS=${NS:-sealmail-e2e-$$}
TIMEOUT=${TIMEOUT:-300}                                  # seconds for each wait
HOST=mail.$NS.svc
ALICE='alice@example.com:correct horse battery staple'    # from examples/accounts.yaml

step() { printf '\n== %s\n' "$*"; }
fail() { echo "e2e: FAILED: $*" >&2; exit 1; }

# Runs curl in the client pod; the CA is the only trust (--cacert, no system store is consulted for our names).
client_curl() { kubectl -n "$NS" exec -i e2e-client -- curl -sS --max-time 60 --cacert /ca/ca.crt "$@"; }

# Waits until "$@" succeeds, up to TIMEOUT seconds.
eventually() {
  local deadline=$((SECONDS + TIMEOUT))
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || return 1
    sleep 5
  done
}

cleanup() {
  if [ -z "${KEEP:-}" ]; then
    kubectl delete namespace "$NS" --wait=false >/dev/null 2>&1 || true
  else
    echo "e2e: KEEP is set: namespace $NS left in place"
  fi
}
trap cleanup EXIT

step "install the operator with the chart ($IMAGE)"
helm upgrade --install sealmail-operator charts/sealmail-operator --namespace "$OPERATOR_NS" --create-namespace \
  --set image.repository="${IMAGE%:*}" --set image.tag="${IMAGE##*:}" \
  --wait --timeout "${TIMEOUT}s"

step "apply examples/accounts.yaml in namespace $NS"
kubectl create namespace "$NS"
kubectl -n "$NS" apply -f examples/accounts.yaml
kubectl -n "$NS" wait mailserver/mail --for=condition=Ready --timeout="${TIMEOUT}s" \
  || { kubectl -n "$NS" describe mailserver mail; fail "mail never became Ready"; }
kubectl -n "$NS" get mailservers

step "the engine runs the operator's own image, read from the operator's Pod (issue 16)"
operator_image=$(kubectl -n "$OPERATOR_NS" get deploy sealmail-operator \
  -o jsonpath='{.spec.template.spec.containers[?(@.name=="operator")].image}')
engine_image=$(kubectl -n "$NS" get statefulset mail -o jsonpath='{.spec.template.spec.containers[0].image}')
[ "$engine_image" = "$operator_image" ] || fail "engine image '$engine_image', operator image '$operator_image'"

step "the Service has exactly the chosen ports"
ports=$(kubectl -n "$NS" get service mail -o jsonpath='{.spec.ports[*].port}')
[ "$ports" = "25 587 465 993 995" ] || fail "Service ports are '$ports', expected '25 587 465 993 995'"

step "a client pod trusting only ca.crt from mail-tls"
kubectl -n "$NS" get secret mail-tls -o jsonpath='{.data.ca\.crt}' | base64 -d > "${TMPDIR:-/tmp}/sealmail-e2e-ca.crt"
kubectl -n "$NS" create configmap e2e-ca --from-file=ca.crt="${TMPDIR:-/tmp}/sealmail-e2e-ca.crt"
kubectl -n "$NS" apply -f - <<EOF
apiVersion: v1
kind: Pod
metadata:
  name: e2e-client
spec:
  restartPolicy: Never
  securityContext:
    runAsNonRoot: true
    runAsUser: 100
    seccompProfile: {type: RuntimeDefault}
  containers:
  - name: curl
    image: $CLIENT_IMAGE
    command: ["sleep", "3600"]
    securityContext:
      allowPrivilegeEscalation: false
      capabilities: {drop: [ALL]}
    volumeMounts:
    - {name: ca, mountPath: /ca, readOnly: true}
  volumes:
  - name: ca
    configMap: {name: e2e-ca}
EOF
kubectl -n "$NS" wait pod/e2e-client --for=condition=Ready --timeout="${TIMEOUT}s"
pod_uid=$(kubectl -n "$NS" get pod mail-0 -o jsonpath='{.metadata.uid}')

step "submit over 587 (STARTTLS required) and 465 (implicit TLS)"
printf 'Subject: e2e over 587\r\n\r\nhello\r\n' | client_curl --ssl-reqd "smtp://$HOST:587" --user "$ALICE" \
  --mail-from alice@example.com --mail-rcpt alice@example.com -T -
printf 'Subject: e2e over 465\r\n\r\nhello\r\n' | client_curl "smtps://$HOST:465" --user "$ALICE" \
  --mail-from alice@example.com --mail-rcpt alice@example.com -T -

step "read back over 993 and 995"
client_curl "imaps://$HOST:993/INBOX" --user "$ALICE" -X 'SEARCH SUBJECT "e2e over"' | tee /dev/stderr \
  | grep -Eq '^\* SEARCH [0-9]+ [0-9]+' || fail "IMAPS did not find both messages"
count=$(client_curl "pop3s://$HOST:995/" --user "$ALICE" | grep -c '^[0-9]')
[ "$count" -ge 2 ] || fail "POP3S lists $count messages, expected at least 2"

step "143, 110 and a name the certificate does not cover are refused"
if client_curl --connect-timeout 5 "imap://$HOST:143/" --user "$ALICE" >/dev/null 2>&1; then fail "port 143 answered"; fi
if client_curl --connect-timeout 5 "pop3://$HOST:110/" --user "$ALICE" >/dev/null 2>&1; then fail "port 110 answered"; fi
cluster_ip=$(kubectl -n "$NS" get service mail -o jsonpath='{.spec.clusterIP}')
if client_curl "imaps://$cluster_ip:993/" --user "$ALICE" >/dev/null 2>&1; then fail "the certificate was accepted for $cluster_ip"; fi

step "certificate renewal reaches the running pod"
start_date() { client_curl -v "imaps://$HOST:993/" --user "$ALICE" 2>&1 | grep -m1 'start date'; }
serial() { kubectl -n "$NS" get mailserver mail -o jsonpath='{.status.certificate.serial}'; }
before=$(start_date)
old_serial=$(serial)
serial_changed() { [ "$(serial)" != "$old_serial" ]; }
new_certificate_served() { [ "$(start_date)" != "$before" ]; }
# 1h certificates renewed 30 s after issuance. A new duration applies to the next certificate, so delete the
# current one: the operator issues a 1h one at once (it watches its own Secret), then renews it on its own schedule.
kubectl -n "$NS" patch mailserver mail --type merge -p '{"spec":{"tls":{"duration":"1h","renewBefore":"59m30s"}}}'
kubectl -n "$NS" delete secret mail-tls
eventually serial_changed || fail "mail-tls was not issued again"
old_serial=$(serial)
eventually serial_changed || fail "the 1h certificate was not renewed at its renewal time"
# The kubelet refreshes mounted Secrets within about a minute; the engine reloads the files without a restart.
eventually new_certificate_served || fail "new clients still get the old certificate"

step "a new user logs in without a restart"
carol_logs_in() { client_curl "pop3s://$HOST:995/" --user 'carol@example.com:carol passphrase e2e'; }
kubectl -n "$NS" patch secret mail-users --type merge -p '{"stringData":{"carol":"carol passphrase e2e"}}'
eventually carol_logs_in || fail "carol cannot log in"
[ "$(kubectl -n "$NS" get pod mail-0 -o jsonpath='{.metadata.uid}')" = "$pod_uid" ] || fail "the pod was replaced"
restarts=$(kubectl -n "$NS" get pod mail-0 -o jsonpath='{.status.containerStatuses[0].restartCount}')
[ "$restarts" = "0" ] || fail "the engine container restarted $restarts times"

step "removals reach the cluster: a port, a Service annotation, resources (issue 16)"
kubectl -n "$NS" patch mailserver mail --type merge -p \
  '{"spec":{"service":{"annotations":{"e2e.sealmail.io/a":"1","e2e.sealmail.io/b":"2"}},"resources":{"requests":{"cpu":"0.2"}}}}'
has_annotation_b() { [ "$(kubectl -n "$NS" get service mail -o jsonpath='{.metadata.annotations.e2e\.sealmail\.io/b}')" = 2 ]; }
eventually has_annotation_b || fail "the Service annotation never arrived"
kubectl -n "$NS" annotate service mail e2e.example/foreign=kept
kubectl -n "$NS" patch mailserver mail --type json -p '[
  {"op":"replace","path":"/spec/ports","value":["smtp","submission","smtps","imaps"]},
  {"op":"replace","path":"/spec/service/annotations","value":{"e2e.sealmail.io/a":"1"}},
  {"op":"remove","path":"/spec/resources"}]'
removed() {
  [ "$(kubectl -n "$NS" get service mail -o jsonpath='{.spec.ports[*].port}')" = "25 587 465 993" ] &&
  [ -z "$(kubectl -n "$NS" get service mail -o jsonpath='{.metadata.annotations.e2e\.sealmail\.io/b}')" ] &&
  [ "$(kubectl -n "$NS" get service mail -o jsonpath='{.metadata.annotations.e2e\.example/foreign}')" = kept ] &&
  [ "$(kubectl -n "$NS" get statefulset mail -o jsonpath='{.spec.template.spec.containers[0].resources.requests.cpu}')" = 100m ]
}
eventually removed || fail "a removed port, annotation or resource request is still in the cluster"

step "a steady state writes nothing, also with non-canonical quantities (issue 16)"
kubectl -n "$NS" patch mailserver mail --type merge -p '{"spec":{"resources":{"requests":{"cpu":"0.1","memory":"256Mi"},"limits":{"memory":"1024Mi"}}}}'
canonical() { [ "$(kubectl -n "$NS" get statefulset mail -o jsonpath='{.spec.template.spec.containers[0].resources.limits.memory}')" = 1Gi ]; }
eventually canonical || fail "the StatefulSet never got the new resources"
kubectl -n "$NS" rollout status statefulset/mail --timeout="${TIMEOUT}s"
reconciles() {
  kubectl get --raw "/api/v1/namespaces/$OPERATOR_NS/services/http:sealmail-operator-metrics:8080/proxy/metrics" \
    | awk '/^sealmail_operator_reconciles_total/ {print int($2)}'
}
# The generation: the StatefulSet controller's status writes move the resourceVersion, only spec writes this.
sts_version=$(kubectl -n "$NS" get statefulset mail -o jsonpath='{.metadata.generation}')
svc_version=$(kubectl -n "$NS" get service mail -o jsonpath='{.metadata.resourceVersion}')
for i in 1 2 3 4 5; do
  seen=$(reconciles)
  kubectl -n "$NS" annotate secret sealmail-ca --overwrite e2e.sealmail.io/nudge="$i" >/dev/null
  reconciled() { [ "$(reconciles)" -gt "$seen" ]; }
  eventually reconciled || fail "no reconcile after nudge $i"
done
[ "$(kubectl -n "$NS" get statefulset mail -o jsonpath='{.metadata.generation}')" = "$sts_version" ] \
  || fail "the StatefulSet was written in a steady state"
[ "$(kubectl -n "$NS" get service mail -o jsonpath='{.metadata.resourceVersion}')" = "$svc_version" ] \
  || fail "the Service was written in a steady state"

step "names the API server could not give to Services or pods are refused at apply time (issue 16)"
refused() {  # name, expected message part
  local out
  if out=$(printf 'apiVersion: sealmail.io/v1alpha1\nkind: MailServer\nmetadata: {name: "%s"}\nspec: {domains: [example.com], hostname: mail.example.com}\n' "$1" \
      | kubectl -n "$NS" apply --dry-run=server -f - 2>&1); then
    fail "the name '$1' was accepted"
  fi
  echo "$out" | grep -q "$2" || fail "the name '$1' was refused without '$2': $out"
}
refused mail.example.com "DNS-1035 label"
refused 1mail "DNS-1035 label"
refused "$(printf 'a%.0s' $(seq 53))" "at most 52 characters"
printf 'apiVersion: sealmail.io/v1alpha1\nkind: MailServer\nmetadata: {name: "%s"}\nspec: {domains: [example.com], hostname: mail.example.com}\n' \
  "$(printf 'a%.0s' $(seq 52))" | kubectl -n "$NS" apply --dry-run=server -f - >/dev/null || fail "a 52-character name was refused"

step "the users' Secret is watched through its label; the mail volume is kept by default; engine limits (issue 16)"
[ "$(kubectl -n "$NS" get secret mail-users -o jsonpath='{.metadata.labels.sealmail\.io/referenced}')" = true ] \
  || fail "mail-users was not labelled sealmail.io/referenced=true"
[ "$(kubectl -n "$NS" get statefulset mail -o jsonpath='{.spec.persistentVolumeClaimRetentionPolicy.whenDeleted}')" = Retain ] \
  || fail "the claim would be deleted with the MailServer"

step "accounts.secretName set to mail-accounts leaves the running server alone (issue 16)"
sts_uid=$(kubectl -n "$NS" get statefulset mail -o jsonpath='{.metadata.uid}')
users=$(kubectl -n "$NS" get mailserver mail -o jsonpath='{.spec.accounts.secretName}')
kubectl -n "$NS" patch mailserver mail --type merge -p '{"spec":{"accounts":{"secretName":"mail-accounts"}}}'
conflict() { [ "$(kubectl -n "$NS" get mailserver mail -o jsonpath='{.status.conditions[?(@.type=="Degraded")].reason}')" = AccountsSecretNameConflict ]; }
eventually conflict || fail "no AccountsSecretNameConflict"
[ "$(kubectl -n "$NS" get statefulset mail -o jsonpath='{.metadata.uid}')" = "$sts_uid" ] || fail "the StatefulSet was replaced"
kubectl -n "$NS" patch mailserver mail --type merge -p "{\"spec\":{\"accounts\":{\"secretName\":\"$users\"}}}"
kubectl -n "$NS" wait mailserver/mail --for=condition=Ready --timeout="${TIMEOUT}s"

echo
echo "e2e: PASSED (namespace $NS)"
