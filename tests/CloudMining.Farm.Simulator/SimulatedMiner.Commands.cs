using System.Text;
using CloudMining.Farm.Simulator.Mining;
using CloudMining.Farm.Simulator.Personalities;
using CloudMining.Farm.Simulator.Wire;

namespace CloudMining.Farm.Simulator;

/// <summary>Request handling: parse, run read and privileged commands, render in the client's form.</summary>
public sealed partial class SimulatedMiner
{
    private long _writeRequests;

    /// <summary>Privileged (write) commands received so far, refused ones included: lets tests prove that nothing was sent.</summary>
    public long WriteCommandsReceived => Interlocked.Read(ref _writeRequests);

    /// <summary>Whether the miner holds this pool with exactly this password: lets tests check what "addpool" delivered without exposing the secret.</summary>
    public bool HasPoolPassword(string url, string user, string password)
    {
        lock (_gate)
        {
            return _pools.Any(p => p.Url == url && p.User == user && p.Password == password);
        }
    }

    internal byte[] Respond(ReadOnlySpan<byte> request, out bool restartAfterReply)
    {
        if (Personality is WhatsminerPersonality && RespondWhatsminerV2(request, out restartAfterReply) is { } whatsminer)
        {
            return whatsminer;
        }

        ApiRequest parsed = ApiRequestParser.Parse(request);
        restartAfterReply = false;
        string text;
        if (parsed.IsJson && parsed.IsMulti)
        {
            var parts = new List<KeyValuePair<string, ApiReply>>(parsed.Commands.Count);
            foreach (string command in parsed.Commands)
            {
                parts.Add(new(command, Execute(command, parsed.Parameter, ref restartAfterReply)));
            }

            text = ReplyRenderer.JsonMulti(parts);
        }
        else
        {
            ApiReply reply = parsed.Error switch
            {
                ApiRequestError.InvalidJson => Error(CgminerCodes.InvalidJson, "Invalid JSON"),
                ApiRequestError.MissingCommand => Error(CgminerCodes.MissingCommand, "Missing JSON 'command'"),
                _ when parsed.Commands.Count != 1 => Error(CgminerCodes.InvalidCommand, "Invalid command"),
                _ => Execute(parsed.Commands[0], parsed.Parameter, ref restartAfterReply),
            };
            text = parsed.IsJson ? ReplyRenderer.Json(reply) : ReplyRenderer.Plain(reply);
        }

        int length = Encoding.UTF8.GetByteCount(text);
        byte[] bytes = new byte[length + (Personality.TrailingNul ? 1 : 0)];
        Encoding.UTF8.GetBytes(text, bytes);
        return bytes;
    }

    private ApiReply Execute(string command, string? parameter, ref bool restartAfterReply)
    {
        if (Personality.Control(command, parameter, this, out bool controlRestart) is { } controlled)
        {
            restartAfterReply |= controlRestart;
            lock (_gate)
            {
                RecomputeActiveLocked();
            }

            return controlled;
        }

        if (PoolCommands.IsPrivileged(command) || Personality.ExtraPrivilegedCommands.Contains(command))
        {
            Interlocked.Increment(ref _writeRequests);
            if (!Spec.PermissiveRpcWrites && Personality.RefuseRpcWrite(command) is { } refusal)
            {
                return Error(refusal.Code, refusal.Message);
            }

            if (Personality.ServesBraiinsGrpc && command is "pause" or "resume")
            {
                return PauseFromRpc(command == "pause");
            }

            if (!Spec.WriteAccess || !Personality.AcceptsCgminerWrites || (Personality.RefusesRpcWrites && !Spec.PermissiveRpcWrites))
            {
                return Error(CgminerCodes.AccessDenied, $"Access denied to '{command}' command");
            }

            ApiReply? special = Personality.Write(command, parameter, Snapshot(), out bool restart);
            if (special is not null)
            {
                restartAfterReply |= restart;
                return special;
            }

            if (command == "restart")
            {
                restartAfterReply = true;
                return ApiReply.ForAction("RESTART");
            }

            if (command == "privileged")
            {
                return Reply("S", CgminerCodes.AccessOk, "Privileged access OK");
            }

            if (command == "poolquota" && !Personality.SupportsQuota)
            {
                return Error(CgminerCodes.InvalidCommand, "Invalid command");
            }

            string? normalized = Personality.NormalizeWriteParameter(command, parameter);
            lock (_gate)
            {
                AdvanceLocked(_clocks.Mining.GetUtcNow());
                (string severity, int code, string msg) = PoolCommands.Apply(command, normalized, _pools, this);
                LeavePoolGroupsLocked();
                foreach (MinerPool p in _pools)
                {
                    _ledger.Touch(p.Url, p.User);
                }

                RecomputeActiveLocked();
                return Reply(severity, code, msg);
            }
        }

        MinerView view = Snapshot();
        return Personality.Read(command, parameter, view) ?? Error(CgminerCodes.InvalidCommand, "Invalid command");
    }

    private ApiReply Error(int code, string msg) => Reply("E", code, msg);

    private ApiReply Reply(string severity, int code, string msg)
    {
        MinerView view = Snapshot();
        return new ApiReply(new ApiStatus(severity, code, msg, Personality.Description(view)), view.When);
    }

    internal void CountRequest() => Interlocked.Increment(ref _requests);

    internal void OnReplySent(bool restart)
    {
        if (restart)
        {
            Restart();
        }
    }
}
