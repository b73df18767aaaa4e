-- Argo CD health check for sealmail.io/MailServer (argocd-cm: resource.customizations.health.sealmail.io_MailServer).
-- Reads the conditions the operator writes (docs/operator.md): Degraded wins, then Ready; a status that describes an
-- older generation of the spec is still Progressing, whatever it says.
local hs = { status = "Progressing", message = "Waiting for the operator" }
if obj.status == nil then
  return hs
end
local generation = obj.metadata and obj.metadata.generation
if generation ~= nil and obj.status.observedGeneration ~= nil and obj.status.observedGeneration < generation then
  hs.message = "The operator has not yet seen generation " .. generation
  return hs
end
local ready, degraded
if obj.status.conditions ~= nil then
  for _, c in ipairs(obj.status.conditions) do
    if c.type == "Degraded" then degraded = c end
    if c.type == "Ready" then ready = c end
  end
end
local function describe(c)
  local text = c.reason or c.type
  if c.message ~= nil and c.message ~= "" then text = text .. ": " .. c.message end
  return text
end
local function current(c)
  return c.observedGeneration == nil or generation == nil or c.observedGeneration >= generation
end
if degraded ~= nil and degraded.status == "True" and current(degraded) then
  hs.status = "Degraded"
  hs.message = describe(degraded)
  return hs
end
if ready ~= nil and current(ready) then
  if ready.status == "True" then
    hs.status = "Healthy"
  end
  hs.message = describe(ready)
end
return hs
