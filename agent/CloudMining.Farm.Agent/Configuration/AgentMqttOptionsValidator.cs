using CloudMining.Farm.Mqtt.Client.Options;
using CloudMining.Farm.Shared.Wire;

namespace CloudMining.Farm.Agent.Configuration;

/// <summary>Checks the "Agent:Mqtt" section; every failure names the key, what is wrong and what to write instead.</summary>
public static class AgentMqttOptionsValidator
{
    private const string S = AgentOptions.SectionName + ":Mqtt";

    /// <summary>All problems of the MQTT section; none while MQTT is off (no host), except ids that could not form topics.</summary>
    public static List<string> Check(AgentOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        AgentMqttOptions mqtt = options.Mqtt ?? new AgentMqttOptions();
        if (!mqtt.Enabled)
        {
            return errors;
        }

        if (!AgentOptionsValidator.IsAddressOrHostName(mqtt.Host!))
        {
            errors.Add($"{S}:Host: '{mqtt.Host}' is not an address or host name; write the broker, e.g. \"broker.farm.lan\" or \"10.0.0.2\".");
        }

        if (mqtt.Port is < 1 or > 65535)
        {
            errors.Add($"{S}:Port: {mqtt.Port} is outside 1 to 65535; leave it out for 1883 (8883 with TLS).");
        }

        // The site and rack become topic levels: an id MQTT cannot carry would fail every publish later.
        if (FarmTopics.IdProblem(options.Site) is { } siteProblem)
        {
            errors.Add($"{AgentOptions.SectionName}:Site: '{options.Site}' {siteProblem}, and MQTT is on (it is a topic level); write e.g. \"warehouse-1\".");
        }

        if (!string.IsNullOrWhiteSpace(options.RackId))
        {
            if (FarmTopics.IdProblem(options.RackId) is { } rackProblem)
            {
                errors.Add($"{AgentOptions.SectionName}:RackId: '{options.RackId}' {rackProblem}, and MQTT is on (it is a topic level); write e.g. \"A-07\".");
            }
            else if (FarmTopics.ReservedRackIds.Contains(options.RackId))
            {
                errors.Add($"{AgentOptions.SectionName}:RackId: '{options.RackId}' is reserved in the MQTT topic tree; choose another rack id.");
            }
        }

        if (!MqttProtocolVersions.TryParse(mqtt.ProtocolVersion, out _))
        {
            errors.Add($"{S}:ProtocolVersion: '{mqtt.ProtocolVersion}' is not a protocol version this agent speaks; write {MqttProtocolVersions.Accepted} (3.1.1 only for a broker without MQTT 5).");
        }

        if (!string.IsNullOrEmpty(mqtt.Password) && string.IsNullOrWhiteSpace(mqtt.Username))
        {
            errors.Add($"{S}:Username: is missing while a password is set; write the broker user, e.g. \"agent-{options.Site}-{options.RackId}\".");
        }

        if (!string.IsNullOrWhiteSpace(mqtt.ClientId) && (mqtt.ClientId.Length > 128 || mqtt.ClientId.Any(char.IsControl)))
        {
            errors.Add($"{S}:ClientId: must be 1 to 128 printable characters; leave it out for \"agent-{{site}}-{{rack}}\".");
        }

        CheckFile(errors, "CaFile", mqtt.CaFile, "the PEM CA bundle that signed the broker certificate");
        CheckFile(errors, "ClientCertificateFile", mqtt.ClientCertificateFile, "the PEM client certificate");
        CheckFile(errors, "ClientKeyFile", mqtt.ClientKeyFile, "the PEM key of the client certificate");
        if (string.IsNullOrWhiteSpace(mqtt.ClientCertificateFile) != string.IsNullOrWhiteSpace(mqtt.ClientKeyFile))
        {
            errors.Add($"{S}:ClientCertificateFile: and {S}:ClientKeyFile go together; set both or neither.");
        }

        if (mqtt.OfflineQueueMaxBytes < 64 * 1024)
        {
            errors.Add($"{S}:OfflineQueueMaxBytes: {mqtt.OfflineQueueMaxBytes} is below 65536; write e.g. 67108864 (64 MB).");
        }

        if (mqtt.TelemetryQos is not (0 or 1))
        {
            errors.Add($"{S}:TelemetryQos: {mqtt.TelemetryQos} is not 0 or 1 (QoS 2 is not supported); write 1 so outages lose nothing, or 0.");
        }

        if (mqtt.KeepAlive < TimeSpan.FromSeconds(1) || mqtt.KeepAlive > TimeSpan.FromMinutes(30))
        {
            errors.Add($"{S}:KeepAlive: '{mqtt.KeepAlive}' is outside 00:00:01 to 00:30:00; write e.g. \"00:00:15\".");
        }

        if (mqtt.ReconnectMaxDelay < TimeSpan.FromMilliseconds(200) || mqtt.ReconnectMaxDelay > TimeSpan.FromHours(1))
        {
            errors.Add($"{S}:ReconnectMaxDelay: '{mqtt.ReconnectMaxDelay}' is outside 00:00:00.200 to 01:00:00; write e.g. \"00:00:30\".");
        }

        return errors;
    }

    private static void CheckFile(List<string> errors, string key, string? path, string what)
    {
        if (!string.IsNullOrWhiteSpace(path) && !File.Exists(path))
        {
            errors.Add($"{S}:{key}: file '{path}' does not exist; point it at {what}, or remove the key.");
        }
    }
}
