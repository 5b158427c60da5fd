using CloudMining.Farm.Shared.MinerApi;

namespace CloudMining.Farm.Shared.Firmware;

/// <summary>
/// Runs a firmware profile's action (restart, addPool, switchPool…) on one miner: logs on first when a step needs a
/// {session}, fills the placeholders, sends the commands in order and stops at the first one the miner refuses.
/// Miner faults come back as an <see cref="ActionResult"/> error, never as exceptions; only a caller bug (a missing
/// placeholder value) or the caller's cancellation throws.
/// </summary>
public sealed class ActionRunner
{
    private const string SessionPlaceholder = "session";

    private readonly MinerApiClient _client;

    public ActionRunner(MinerApiClient client)
    {
        _client = client ?? throw new ArgumentNullException(nameof(client));
    }

    /// <summary>Runs <paramref name="action"/> with the placeholder <paramref name="values"/> it needs ({url}, {index}…; {session} is filled here).</summary>
    public async Task<ActionResult> RunAsync(
        MinerEndpoint endpoint,
        FirmwareProfile profile,
        ProfileAction action,
        IReadOnlyDictionary<string, string>? values = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(profile);
        if (!profile.Actions.TryGetValue(action, out IReadOnlyList<ActionStep>? steps))
        {
            return new ActionResult { Profile = profile.Name, Action = action, StepCount = 0, NotSupported = true };
        }

        var filled = new Dictionary<string, string>(values ?? new Dictionary<string, string>(), StringComparer.Ordinal);

        // A missing value is the caller's bug; find it before anything reaches the miner, not halfway through.
        bool needsSession = false;
        foreach (ActionStep step in steps)
        {
            foreach (string name in step.Placeholders())
            {
                if (name == SessionPlaceholder)
                {
                    needsSession = true;
                }
                else if (!filled.ContainsKey(name))
                {
                    throw new ArgumentException($"Action {action} of profile {profile.Name} needs a value for {{{name}}} ('{step.Command}' step).", nameof(values));
                }
            }
        }

        var result = new ActionResult { Profile = profile.Name, Action = action, StepCount = steps.Count };
        if (needsSession)
        {
            (string? session, MinerApiError? loginError) = await LogOnAsync(endpoint, profile, cancellationToken);
            if (session is null)
            {
                return result with { Error = loginError };
            }

            filled[SessionPlaceholder] = session;
        }

        var messages = new List<string?>(steps.Count);
        foreach (ActionStep step in steps)
        {
            MinerApiError? error = await SendAsync(endpoint, step.Command, step.Render(filled), messages, cancellationToken);
            if (error is not null)
            {
                return result with { StepsCompleted = messages.Count, Messages = messages, Error = error };
            }
        }

        return result with { StepsCompleted = messages.Count, Messages = messages };
    }

    private async Task<(string? Session, MinerApiError? Error)> LogOnAsync(MinerEndpoint endpoint, FirmwareProfile profile, CancellationToken cancellationToken)
    {
        SessionStep login = profile.Session
            ?? throw new InvalidOperationException($"Profile {profile.Name} uses {{session}} without a session step; the profile compiler should have refused it.");
        string[] field = login.Field.Split('.', 2);
        try
        {
            using ApiReplySet set = await _client.ExecuteAsync(endpoint, login.Command, login.Parameter, cancellationToken: cancellationToken);
            ApiReply reply = set.First.Reply!;
            if (field.Length == 2
                && reply.TryGetFirstObject(field[0], out System.Text.Json.JsonElement? section)
                && JsonLookup.TryGetProperty(section.Value, field[1], out System.Text.Json.JsonElement value)
                && JsonLookup.GetText(value) is { Length: > 0 } session)
            {
                return (session, null);
            }

            return (null, new MinerApiError(
                MinerApiErrorKind.UnsupportedReply,
                $"{endpoint}: the '{login.Command}' reply has no {login.Field}; the firmware may have changed its login reply. Check the profile's actions.session.")
            { Command = login.Command });
        }
        catch (MinerApiException e)
        {
            return (null, e.Error);
        }
        catch (Exception e) when (e is ArgumentException or IOException or System.Net.Sockets.SocketException or InvalidOperationException)
        {
            return (null, Unreachable(endpoint, login.Command, e));
        }
    }

    private async Task<MinerApiError?> SendAsync(MinerEndpoint endpoint, string command, string? parameter, List<string?> messages, CancellationToken cancellationToken)
    {
        try
        {
            using ApiReplySet set = await _client.ExecuteAsync(endpoint, command, parameter, cancellationToken: cancellationToken);
            messages.Add(set.First.Reply?.Status?.Msg);
            return null;
        }
        catch (MinerApiException e)
        {
            return e.Error;
        }
        catch (Exception e) when (e is ArgumentException or IOException or System.Net.Sockets.SocketException or InvalidOperationException)
        {
            return Unreachable(endpoint, command, e);
        }
    }

    private static MinerApiError Unreachable(MinerEndpoint endpoint, string command, Exception e) =>
        new(MinerApiErrorKind.Unreachable, $"{endpoint}: cannot talk to the miner ({e.GetType().Name}: {e.Message}). Check its address in the rack configuration.")
        {
            Command = command,
        };
}
