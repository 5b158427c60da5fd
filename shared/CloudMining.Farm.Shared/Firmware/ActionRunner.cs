using System.Text.Json;
using CloudMining.Farm.Shared.MinerApi;

namespace CloudMining.Farm.Shared.Firmware;

/// <summary>
/// Runs a firmware profile's action (addPool, switchPool, setQuota, restart…) on one miner: logs in first when the
/// profile has a session step that the action's parameters use, fills the placeholders, sends the commands in order
/// and stops at the first failure. Miner faults come back as a typed <see cref="ActionResult"/>, never as exceptions;
/// only the caller's cancellation throws. It writes no logs itself, so it cannot leak a password into one.
/// </summary>
public sealed class ActionRunner
{
    /// <summary>Placeholders whose values are secrets and are masked out of every returned message.</summary>
    public static IReadOnlySet<string> SecretPlaceholders { get; } = new HashSet<string>(StringComparer.Ordinal) { "password", "session" };

    /// <summary>What replaces a secret in returned messages.</summary>
    public const string Mask = "***";

    private readonly MinerApiClient _client;

    public ActionRunner(MinerApiClient client)
    {
        _client = client ?? throw new ArgumentNullException(nameof(client));
    }

    /// <summary>Runs <paramref name="action"/> with <paramref name="values"/> for its placeholders ({url}, {user}, {password}, {index}, {indexes}, {quota}).</summary>
    public async Task<ActionResult> RunAsync(MinerEndpoint endpoint, FirmwareProfile profile, ProfileAction action, IReadOnlyDictionary<string, string> values, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentNullException.ThrowIfNull(values);
        if (!profile.Actions.TryGetValue(action, out IReadOnlyList<ActionStep>? steps))
        {
            return new ActionResult(action, ActionOutcome.NotSupported, 0, [], null);
        }

        return await RunStepsAsync(endpoint, profile, action, steps, values, cancellationToken);
    }

    /// <summary>Runs <paramref name="steps"/> given by the caller (a profile operation's own command), reported under <paramref name="action"/>.</summary>
    public async Task<ActionResult> RunStepsAsync(MinerEndpoint endpoint, FirmwareProfile profile, ProfileAction action, IReadOnlyList<ActionStep> steps, IReadOnlyDictionary<string, string> values, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentNullException.ThrowIfNull(steps);
        ArgumentNullException.ThrowIfNull(values);
        // One-character values are the pools' public "x" placeholder password; masking every "x" would garble messages.
        var secrets = values.Where(v => SecretPlaceholders.Contains(v.Key) && v.Value.Length > 1).Select(v => v.Value).ToList();
        var filled = new Dictionary<string, string>(values, StringComparer.Ordinal);
        var messages = new List<string>(steps.Count);
        int sent = 0;
        try
        {
            if (profile.Session is { } login && steps.Any(s => s.Placeholders().Contains("session")))
            {
                sent++;
                string session = await LogonAsync(endpoint, login, cancellationToken);
                filled["session"] = session;
                secrets.Add(session);
            }

            foreach (ActionStep step in steps)
            {
                string? parameter = step.Render(filled);
                sent++;
                using ApiReplySet reply = await _client.ExecuteAsync(endpoint, step.Command, parameter, cancellationToken: cancellationToken);
                if (reply.First.Reply?.Status?.Msg is { } msg)
                {
                    messages.Add(MaskAll(msg, secrets));
                }
            }

            return new ActionResult(action, ActionOutcome.Succeeded, sent, messages, null);
        }
        catch (MinerApiException ex)
        {
            return new ActionResult(action, ActionOutcome.Failed, sent, messages, Masked(ex.Error, secrets));
        }
        catch (Exception ex) when (ex is ArgumentException or IOException or System.Net.Sockets.SocketException or InvalidOperationException)
        {
            // An address the socket layer rejects is this miner's fault, not the caller's loop's.
            var error = new MinerApiError(MinerApiErrorKind.Unreachable, $"{endpoint}: cannot talk to the miner ({ex.GetType().Name}: {MaskAll(ex.Message, secrets)}). Check the address in the rack configuration.");
            return new ActionResult(action, ActionOutcome.Failed, sent, messages, error);
        }
    }

    private async Task<string> LogonAsync(MinerEndpoint endpoint, SessionStep login, CancellationToken cancellationToken)
    {
        using ApiReplySet reply = await _client.ExecuteAsync(endpoint, login.Command, login.Parameter, cancellationToken: cancellationToken);
        int dot = login.Field.IndexOf('.', StringComparison.Ordinal);
        string section = dot > 0 ? login.Field[..dot] : login.Field;
        string key = dot > 0 ? login.Field[(dot + 1)..] : "SessionID";
        if (reply.First.Reply is { } r && r.TryGetFirstObject(section, out JsonElement? obj) &&
            JsonLookup.TryGetProperty(obj.Value, key, out JsonElement value) && JsonLookup.GetText(value) is { Length: > 0 } session)
        {
            return session;
        }

        throw new MinerApiException(new MinerApiError(
            MinerApiErrorKind.UnsupportedReply,
            $"{endpoint}: the '{login.Command}' reply has no {login.Field}; check actions.session.field in the firmware profile.")
        { Command = login.Command });
    }

    private static MinerApiError Masked(MinerApiError error, List<string> secrets) => secrets.Count == 0 ? error : error with
    {
        Message = MaskAll(error.Message, secrets),
        StatusMessage = error.StatusMessage is null ? null : MaskAll(error.StatusMessage, secrets),
        Excerpt = error.Excerpt is null ? null : MaskAll(error.Excerpt, secrets),
    };

    private static string MaskAll(string text, List<string> secrets)
    {
        foreach (string secret in secrets)
        {
            text = text.Replace(secret, Mask, StringComparison.Ordinal);
        }

        return text;
    }
}
