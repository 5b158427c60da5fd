using System.Globalization;
using CloudMining.Farm.Shared.Firmware.Channels;
using CloudMining.Farm.Shared.Units;

namespace CloudMining.Farm.Shared.Firmware;

/// <summary>Validates a profile document and compiles its mappings once into the plan the decoder follows (keys expanded, units resolved, replies indexed).</summary>
internal sealed class ProfileCompiler
{
    private const int MaxSlots = 64;
    private readonly string _file;
    private readonly List<string> _commands = [];
    private readonly HashSet<string> _readCommands = new(StringComparer.OrdinalIgnoreCase);

    private ProfileCompiler(string file) => _file = file;

    public static FirmwareProfile Compile(ProfileDocument doc, string file) => new ProfileCompiler(file).Run(doc);

    private FirmwareProfile Run(ProfileDocument doc)
    {
        string expectedName = Path.GetFileNameWithoutExtension(_file);
        if (string.IsNullOrWhiteSpace(doc.Name))
        {
            throw Error("name", $"missing; add 'name: {expectedName}' (the file name without .yaml).");
        }

        if (!string.Equals(doc.Name, expectedName, StringComparison.Ordinal))
        {
            throw Error("name", $"'{doc.Name}' differs from the file name; rename the file to {doc.Name}.yaml or set 'name: {expectedName}'.");
        }

        if (doc.Read?.Commands is not { Count: > 0 } readCommands)
        {
            throw Error("read.commands", "missing or empty; list the API commands to read on each poll, e.g. [summary, pools, devs].");
        }

        foreach (string command in readCommands)
        {
            if (string.IsNullOrWhiteSpace(command) || command.Contains('+', StringComparison.Ordinal) || command.Contains('|', StringComparison.Ordinal))
            {
                throw Error("read.commands", $"'{command}' is not a single command name; write one name per entry and set 'multiCommand: true' to batch them.");
            }

            _readCommands.Add(command);
            CommandIndex(command);
        }

        foreach (string required in doc.Read.Required ?? [])
        {
            if (!_readCommands.Contains(required))
            {
                throw Error("read.required", $"'{required}' is not in read.commands; add it there or remove it here.");
            }
        }

        var rules = new List<DetectionRule>();
        for (int i = 0; i < (doc.Detect?.Any?.Count ?? 0); i++)
        {
            ProfileDocument.RuleDoc r = doc.Detect!.Any![i];
            string key = $"detect.any[{i}]";
            if (string.IsNullOrWhiteSpace(r.Command))
            {
                throw Error(key + ".command", "missing; name the reply the rule tests, e.g. 'command: version'.");
            }

            if (r.Key is null && r.KeyStartsWith is null)
            {
                throw Error(key, "needs 'key' (a field name) or 'keyStartsWith' (a prefix of field names).");
            }

            if (r.DateAtLeast is { } date && (date < 19700101 || date > 99991231))
            {
                throw Error(key + ".dateAtLeast", $"{date} is not a date; write it as yyyymmdd, e.g. 20241101.");
            }

            rules.Add(new DetectionRule(r.Command, r.Section, r.Key, r.KeyStartsWith, r.Contains, r.StartsWith, r.EqualsValue) { DateAtLeast = r.DateAtLeast });
        }

        return new FirmwareProfile(doc.Name, doc.Description ?? string.Empty, _file)
        {
            DetectPriority = doc.Detect?.Priority ?? 0,
            DetectionRules = rules,
            ReadCommands = [.. readCommands],
            RequiredCommands = [.. doc.Read.Required ?? []],
            MultiCommand = doc.Read.MultiCommand,
            Model = Totals(doc.Identity?.Model, "identity.model", unit: false),
            Firmware = Totals(doc.Identity?.Firmware, "identity.firmware", unit: false),
            FirmwareVersion = Totals(doc.Identity?.FirmwareVersion, "identity.firmwareVersion", unit: false),
            Serial = Totals(doc.Identity?.Serial, "identity.serial", unit: false),
            SerialSource = CompileSerialSource(doc.Identity?.SerialSource, doc.Identity?.Serial),
            Mac = Totals(doc.Identity?.Mac, "identity.mac", unit: false),
            Hashrate5s = Totals(doc.Totals?.Hashrate5s, "totals.hashrate5s", unit: true),
            HashrateAverage = Totals(doc.Totals?.HashrateAverage, "totals.hashrateAverage", unit: true),
            HashrateNominal = Totals(doc.Totals?.HashrateNominal, "totals.hashrateNominal", unit: true),
            Power = Totals(doc.Totals?.Power, "totals.power", unit: false),
            Uptime = Totals(doc.Totals?.Uptime, "totals.uptime", unit: false),
            HardwareErrors = Totals(doc.Totals?.HardwareErrors, "totals.hardwareErrors", unit: false),
            Boards = CompileBoards(doc.Boards),
            Fans = CompileFans(doc.Fans),
            Pools = CompilePools(doc.Pools),
            Actions = CompileActions(doc.Actions, out SessionStep? session),
            Session = session,
            Routes = CompileRoutes(doc.Operations, doc.Actions),
            Web = CompileWeb(doc.Web, doc.Operations),
            ChannelPorts = CompilePorts(doc.Ports),
            Commands = [.. _commands],
        };
    }

    /// <summary>
    /// Without an operations: section a profile keeps today's behaviour: pools and restart through cgminer RPC where it
    /// lists the actions. With one, exactly the operations listed there are routed.
    /// </summary>
    private Dictionary<MinerOperation, OperationRoute> CompileRoutes(Dictionary<string, ProfileDocument.OperationDoc>? doc, ProfileDocument.ActionsDoc? actions)
    {
        var routes = new Dictionary<MinerOperation, OperationRoute>();
        if (doc is null)
        {
            if (actions?.AddPool is not null)
            {
                routes[MinerOperation.SetPools] = new OperationRoute(MinerOperation.SetPools, WriteChannelKind.CgminerRpc);
            }

            if (actions?.Restart is not null)
            {
                routes[MinerOperation.RestartMining] = new OperationRoute(MinerOperation.RestartMining, WriteChannelKind.CgminerRpc);
            }

            return routes;
        }

        MinerOperation[] all = Enum.GetValues<MinerOperation>();
        foreach ((string name, ProfileDocument.OperationDoc? op) in doc)
        {
            string key = "operations." + name;
            MinerOperation operation = all.FirstOrDefault(o => WriteChannelNames.Of(o) == name);
            if (WriteChannelNames.Of(operation) != name)
            {
                throw Error(key, $"unknown operation; use one of {string.Join(", ", all.Select(WriteChannelNames.Of))}.");
            }

            if (op is null || !WriteChannelNames.TryParse(op.Channel, out WriteChannelKind channel))
            {
                throw Error(key + ".channel", $"'{op?.Channel}' is not a write channel; use one of {string.Join(", ", WriteChannelNames.All)}.");
            }

            if (!WriteChannel.Implemented(channel).Contains(operation))
            {
                throw Error(key + ".channel", $"the {op.Channel} channel cannot do {name} yet; leave the operation out (see docs/firmware-profiles.md, table of channels).");
            }

            if (channel == WriteChannelKind.CgminerRpc)
            {
                if (operation == MinerOperation.SetPools && actions?.AddPool is null)
                {
                    throw Error(key, "setPools through cgminer-rpc needs actions.addPool (and the other pool actions the firmware has).");
                }

                if (op.Command is null && operation != MinerOperation.SetPools && !(operation == MinerOperation.RestartMining && actions?.Restart is not null))
                {
                    throw Error(key + ".command", $"name the cgminer command for {name}, e.g. 'command: ascset, value: \"0,reboot,0\"'.");
                }
                if (operation == MinerOperation.SetPowerTarget && (op.Field is null || CgminerRpcChannel.Levels(op.Value) is null))
                {
                    throw Error(key, "setPowerTarget through cgminer-rpc needs 'field' (the parameter before the level, e.g. \"0,worklevel,set\") and 'value', the levels with their watts, e.g. \"0=2950,1=3700,2=4100\".");
                }
            }
            else if (channel is WriteChannelKind.CgminerSession or WriteChannelKind.VnishRest)
            {
                if (operation is not (MinerOperation.SetPools or MinerOperation.SetPowerTarget) && string.IsNullOrWhiteSpace(op.Command))
                {
                    throw Error(key + ".command", channel == WriteChannelKind.VnishRest
                        ? $"name the API path under /api/v1 for {name}, e.g. 'command: mining/restart'."
                        : $"name the command for {name}, e.g. 'command: curtail, value: sleep' (the session id goes first on its own).");
                }

                if (channel == WriteChannelKind.CgminerSession && operation == MinerOperation.SetPools && actions?.AddPool is null)
                {
                    throw Error(key, "setPools through cgminer-session needs actions.addPool and actions.removePool (and switchPool, disablePool where the firmware has them).");
                }
            }
            else if (channel == WriteChannelKind.BitmainWeb)
            {
                if (operation != MinerOperation.SetPools && string.IsNullOrWhiteSpace(op.Command))
                {
                    throw Error(key + ".command", $"name the CGI script for {name} without .cgi, e.g. 'command: reboot'.");
                }

                if (operation is MinerOperation.Pause or MinerOperation.Resume or MinerOperation.LocateOn or MinerOperation.LocateOff &&
                    (string.IsNullOrWhiteSpace(op.Field) || op.Value is null))
                {
                    throw Error(key, $"{name} through {WriteChannelNames.BitmainWeb} needs 'field' and 'value', e.g. 'command: set_miner_conf, field: miner-mode, value: \"1\"'.");
                }
            }
            else if (channel is WriteChannelKind.WhatsminerV2 or WriteChannelKind.WhatsminerV3 &&
                     operation is not MinerOperation.SetPools and not MinerOperation.SetPowerTarget && string.IsNullOrWhiteSpace(op.Command))
            {
                throw Error(key + ".command", $"name the firmware's command for {name}, e.g. '{(channel == WriteChannelKind.WhatsminerV2 ? "command: restart_btminer" : "command: set.miner.service, value: restart")}'.");
            }

            else if (channel == WriteChannelKind.BraiinsGrpc && (op.Command is not null || op.Field is not null || op.Value is not null))
            {
                throw Error(key, $"{name} through {WriteChannelNames.BraiinsGrpc} takes no command, field or value: the channel calls the API method for it (see docs/firmware-profiles.md).");
            }

            routes[operation] = new OperationRoute(operation, channel, op.Command, op.Field, op.Value);
        }

        return routes;
    }

    /// <summary>identity.serialSource: a channel that can read a serial, its request, and at least one field name.</summary>
    private SerialSource? CompileSerialSource(ProfileDocument.SerialSourceDoc? doc, List<ProfileDocument.FieldDoc>? apiSerial)
    {
        if (doc is null)
        {
            return null;
        }

        const string key = "identity.serialSource";
        if (apiSerial is { Count: > 0 })
        {
            throw Error(key, "the profile already reads identity.serial from the cgminer API; keep one of the two.");
        }

        string readers = string.Join(", ", SerialSource.Readers.Select(WriteChannelNames.Of));
        if (!WriteChannelNames.TryParse(doc.Channel, out WriteChannelKind channel) || !SerialSource.Readers.Contains(channel))
        {
            throw Error(key + ".channel", $"'{doc.Channel}' cannot read a serial; use one of {readers}.");
        }

        if (string.IsNullOrWhiteSpace(doc.Command))
        {
            throw Error(key + ".command", "missing; name the request that answers the serial (a CGI script such as get_system_info, a REST path such as info, or MinerService/GetMinerDetails).");
        }

        string[] fields = [.. (doc.Fields ?? []).Where(f => !string.IsNullOrWhiteSpace(f)).Select(f => f.Trim())];
        if (fields.Length == 0)
        {
            throw Error(key + ".fields", "missing or empty; list the reply's fields that hold the serial, first wins, e.g. [serinum, serial_no].");
        }

        if (channel == WriteChannelKind.BraiinsGrpc && BraiinsGrpcChannel.SerialProblem(doc.Command.Trim(), fields) is { } problem)
        {
            throw Error(key, problem);
        }

        return new SerialSource(channel, doc.Command.Trim(), fields);
    }

    private Dictionary<WriteChannelKind, int> CompilePorts(Dictionary<string, int>? doc)
    {
        var ports = new Dictionary<WriteChannelKind, int>();
        foreach ((string name, int port) in doc ?? [])
        {
            if (!WriteChannelNames.TryParse(name, out WriteChannelKind channel))
            {
                throw Error("ports." + name, $"'{name}' is not a write channel; use one of {string.Join(", ", WriteChannelNames.All)}.");
            }

            if (port is < 1 or > 65535)
            {
                throw Error("ports." + name, $"{port} is not a TCP port; use 1..65535 (4433 for whatsminer-v3).");
            }

            ports[channel] = port;
        }

        return ports;
    }

    /// <summary>The web: section; without one, a profile routing to braiins-grpc gets BOS+'s API port 50051 and its empty factory password.</summary>
    private WebChannelSettings CompileWeb(ProfileDocument.WebDoc? doc, Dictionary<string, ProfileDocument.OperationDoc>? operations)
    {
        if (doc is null)
        {
            bool grpc = operations?.Values.Any(o => WriteChannelNames.TryParse(o?.Channel, out WriteChannelKind k) && k == WriteChannelKind.BraiinsGrpc) == true;
            return grpc ? WebChannelSettings.Default with { Port = BraiinsGrpcChannel.DefaultPort, VendorDefaultPassword = string.Empty } : WebChannelSettings.Default;
        }

        if (doc.Port is < 1 or > 65535)
        {
            throw Error("web.port", $"{doc.Port} is not a TCP port; use 1..65535 (80 on stock firmware).");
        }

        if (doc.MaxPools is < 1 or > 16)
        {
            throw Error("web.maxPools", $"{doc.MaxPools} is not a pool count the web form can hold; use 1..16 (3 on stock firmware).");
        }

        return new WebChannelSettings(doc.Port, string.IsNullOrWhiteSpace(doc.User) ? "root" : doc.User, doc.VendorDefaultPassword, doc.MaxPools);
    }

    private FieldSource[] Totals(List<ProfileDocument.FieldDoc>? fields, string key, bool unit)
    {
        if (fields is null)
        {
            return [];
        }

        var result = new FieldSource[fields.Count];
        for (int i = 0; i < fields.Count; i++)
        {
            ProfileDocument.FieldDoc f = fields[i];
            string where = $"{key}[{i}]";
            string path = f.At ?? f.Text ?? throw Error(where, "needs 'at: command:SECTION.Key', e.g. 'summary:SUMMARY.MHS 5s'.");
            (string command, string section, string field) = ParsePath(path, where + ".at");
            result[i] = new FieldSource
            {
                Command = ReadCommandIndex(command, where + ".at"),
                Section = section,
                Key = field,
                Factor = unit ? HashrateFactor(f.Unit, where) : 1,
                Aggregate = ParseAggregate(f.Aggregate, where),
                Kv = f.Kv,
                MaxOfDashes = f.MaxOfDashes,
                Description = path + (f.Kv is null ? string.Empty : ">" + f.Kv),
            };
        }

        return result;
    }

    private BoardPlan CompileBoards(ProfileDocument.BoardsDoc? doc)
    {
        if (doc is null)
        {
            return new BoardPlan();
        }

        BoardStyle style = doc.Style?.ToLowerInvariant() switch
        {
            "indexed" => BoardStyle.Indexed,
            "rows" => BoardStyle.Rows,
            "modules" => BoardStyle.Modules,
            _ => throw Error("boards.style", $"'{doc.Style}' is not a board layout; use indexed (chain_rate1…), rows (one object per board) or modules (Avalon MM ID strings)."),
        };
        string[] places = (doc.At ?? string.Empty).Split('|', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        (string command, string section) = ParseSection(places.Length > 0 ? places[0] : null, "boards.at");
        var alternatives = new (int, string)[Math.Max(0, places.Length - 1)];
        for (int a = 1; a < places.Length; a++)
        {
            (string c, string s) = ParseSection(places[a], "boards.at");
            alternatives[a - 1] = (ReadCommandIndex(c, "boards.at"), s);
        }

        int slots = CheckSlots(style == BoardStyle.Indexed, doc.First, doc.Last, "boards");
        if (style == BoardStyle.Modules && string.IsNullOrWhiteSpace(doc.KeyPrefix))
        {
            throw Error("boards.keyPrefix", "modules layout needs the prefix of the module keys, e.g. 'keyPrefix: MM ID'.");
        }

        return new BoardPlan
        {
            Style = style,
            Command = ReadCommandIndex(command, "boards.at"),
            Section = section,
            Alternatives = alternatives,
            First = doc.First,
            Last = doc.Last,
            Present = style == BoardStyle.Indexed ? Expand(doc.Present ?? [], doc.First, slots) : [],
            Index = [.. doc.Index ?? []],
            KeyPrefix = doc.KeyPrefix ?? string.Empty,
            Hashrate = BoardFields(doc.Hashrate, "boards.hashrate", doc, slots, unit: true),
            ChipTemperature = BoardFields(doc.ChipTemperature, "boards.chipTemperature", doc, slots, unit: false),
            BoardTemperature = BoardFields(doc.BoardTemperature, "boards.boardTemperature", doc, slots, unit: false),
            Chips = BoardFields(doc.Chips, "boards.chips", doc, slots, unit: false),
            HardwareErrors = BoardFields(doc.HardwareErrors, "boards.hardwareErrors", doc, slots, unit: false),
            Status = BoardFields(doc.Status, "boards.status", doc, slots, unit: false),
        };
    }

    private FieldSource[] BoardFields(List<ProfileDocument.FieldDoc>? fields, string key, ProfileDocument.BoardsDoc doc, int slots, bool unit)
    {
        if (fields is null)
        {
            return [];
        }

        var result = new FieldSource[fields.Count];
        for (int i = 0; i < fields.Count; i++)
        {
            ProfileDocument.FieldDoc f = fields[i];
            string where = $"{key}[{i}]";
            string name = f.Key ?? f.Kv ?? f.Text ?? throw Error(where, "needs 'key' (the field name in the board's object; {i} stands for the board number).");
            int fromCommand = -1;
            string? fromSection = null;
            if (f.From is not null)
            {
                (string c, string s) = ParseSection(f.From, where + ".from");
                fromCommand = ReadCommandIndex(c, where + ".from");
                fromSection = s;
                if (string.IsNullOrWhiteSpace(f.On))
                {
                    throw Error(where + ".on", "a field read 'from' another section needs 'on: <key both rows share>', e.g. 'on: ID'.");
                }
            }

            result[i] = new FieldSource
            {
                Key = name,
                Keys = slots > 0 ? ExpandOne(name, doc.First, slots) : null,
                Factor = unit ? HashrateFactor(f.Unit, where) : 1,
                Kv = f.Kv,
                PerBoard = f.PerBoard,
                MaxOfDashes = f.MaxOfDashes,
                FromCommand = fromCommand,
                FromSection = fromSection,
                On = f.On,
                Description = (f.From ?? doc.At) + "." + name,
            };
        }

        return result;
    }

    private FanPlan CompileFans(ProfileDocument.FansDoc? doc)
    {
        if (doc is null)
        {
            return new FanPlan();
        }

        FanStyle style = doc.Style?.ToLowerInvariant() switch
        {
            "indexed" => FanStyle.Indexed,
            "rows" => FanStyle.Rows,
            "keys" => FanStyle.Keys,
            "modules" => FanStyle.Modules,
            _ => throw Error("fans.style", $"'{doc.Style}' is not a fan layout; use indexed (fan1…), rows (one object per fan), keys (named fields) or modules (Avalon)."),
        };
        if (doc.Rpm is not { Count: > 0 })
        {
            throw Error("fans.rpm", "missing; name the RPM field(s), e.g. 'rpm: [fan{i}]' or 'rpm: [RPM]'.");
        }

        if (style == FanStyle.Keys)
        {
            var sources = new FieldSource[doc.Rpm.Count];
            for (int i = 0; i < doc.Rpm.Count; i++)
            {
                (string c, string s, string k) = ParsePath(doc.Rpm[i], $"fans.rpm[{i}]");
                sources[i] = new FieldSource { Command = ReadCommandIndex(c, $"fans.rpm[{i}]"), Section = s, Key = k, Description = doc.Rpm[i] };
            }

            return new FanPlan { Style = style, Sources = sources, SkipZero = doc.SkipZero };
        }

        (string command, string section) = ParseSection(doc.At, "fans.at");
        int slots = CheckSlots(style == FanStyle.Indexed, doc.First, doc.Last, "fans");
        if (style == FanStyle.Modules && string.IsNullOrWhiteSpace(doc.KeyPrefix))
        {
            throw Error("fans.keyPrefix", "modules layout needs the prefix of the module keys, e.g. 'keyPrefix: MM ID'.");
        }

        return new FanPlan
        {
            Style = style,
            Command = ReadCommandIndex(command, "fans.at"),
            Section = section,
            First = doc.First,
            Rpm = style == FanStyle.Indexed ? ExpandOne(doc.Rpm[0], doc.First, slots) : [.. doc.Rpm],
            Duty = doc.Duty,
            Index = [.. doc.Index ?? []],
            KeyPrefix = doc.KeyPrefix ?? string.Empty,
            SkipZero = doc.SkipZero,
        };
    }

    private PoolPlan? CompilePools(ProfileDocument.PoolsDoc? doc)
    {
        if (doc is null)
        {
            return null;
        }

        (string command, string section) = ParseSection(doc.At, "pools.at");
        var fields = new Dictionary<string, string>(PoolPlan.DefaultFields, StringComparer.OrdinalIgnoreCase);
        foreach ((string name, string value) in doc.Fields ?? [])
        {
            if (!fields.ContainsKey(name))
            {
                throw Error("pools.fields." + name, $"unknown pool field; use one of {string.Join(", ", PoolPlan.DefaultFields.Keys)}.");
            }

            fields[name] = value;
        }

        return new PoolPlan { Command = ReadCommandIndex(command, "pools.at"), Section = section, Fields = fields };
    }

    private Dictionary<ProfileAction, IReadOnlyList<ActionStep>> CompileActions(ProfileDocument.ActionsDoc? doc, out SessionStep? session)
    {
        var actions = new Dictionary<ProfileAction, IReadOnlyList<ActionStep>>();
        session = null;
        if (doc is null)
        {
            return actions;
        }

        if (doc.Session is not null)
        {
            if (string.IsNullOrWhiteSpace(doc.Session.Command) || string.IsNullOrWhiteSpace(doc.Session.Field))
            {
                throw Error("actions.session", "needs 'command' (the login command) and 'field' (SECTION.Key of the session id in its reply).");
            }

            session = new SessionStep(doc.Session.Command, doc.Session.Parameter, doc.Session.Field);
        }

        Add(ProfileAction.AddPool, doc.AddPool, "addPool", session);
        Add(ProfileAction.RemovePool, doc.RemovePool, "removePool", session);
        Add(ProfileAction.SwitchPool, doc.SwitchPool, "switchPool", session);
        Add(ProfileAction.EnablePool, doc.EnablePool, "enablePool", session);
        Add(ProfileAction.DisablePool, doc.DisablePool, "disablePool", session);
        Add(ProfileAction.SetPriority, doc.SetPriority, "setPriority", session);
        Add(ProfileAction.SetQuota, doc.SetQuota, "setQuota", session);
        Add(ProfileAction.Restart, doc.Restart, "restart", session);
        return actions;

        void Add(ProfileAction action, List<ProfileDocument.StepDoc>? steps, string key, SessionStep? login)
        {
            if (steps is null)
            {
                return; // not supported by this firmware
            }

            if (steps.Count == 0)
            {
                throw Error("actions." + key, "an empty list; remove the key if the firmware cannot do this, or list its commands.");
            }

            var compiled = new List<ActionStep>(steps.Count);
            for (int i = 0; i < steps.Count; i++)
            {
                string where = $"actions.{key}[{i}]";
                if (string.IsNullOrWhiteSpace(steps[i].Command))
                {
                    throw Error(where + ".command", "missing; name the API command, e.g. 'command: addpool'.");
                }

                var step = new ActionStep(steps[i].Command!, steps[i].Parameter);
                if (step.Parameter is not null && step.Parameter.Count(c => c == '{') != step.Parameter.Count(c => c == '}'))
                {
                    throw Error(where + ".parameter", $"'{step.Parameter}' has unbalanced braces; write placeholders as {{name}}.");
                }

                foreach (string placeholder in step.Placeholders())
                {
                    if (!ActionStep.AllowedPlaceholders[action].Contains(placeholder))
                    {
                        throw Error(where + ".parameter", $"{{{placeholder}}} is not available to {key}; use {string.Join(", ", ActionStep.AllowedPlaceholders[action].Select(p => "{" + p + "}"))}.");
                    }

                    if (placeholder == "session" && login is null)
                    {
                        throw Error(where + ".parameter", "uses {session} but the profile has no 'actions.session' login step; add one.");
                    }
                }

                compiled.Add(step);
            }

            actions[action] = compiled;
        }
    }

    private (string Command, string Section, string Key) ParsePath(string path, string key)
    {
        int colon = path.IndexOf(':', StringComparison.Ordinal);
        int dot = colon < 0 ? -1 : path.IndexOf('.', colon);
        if (colon <= 0 || dot <= colon + 1 || dot == path.Length - 1)
        {
            throw Error(key, $"'{path}' must look like 'command:SECTION.Key', e.g. 'summary:SUMMARY.MHS 5s'.");
        }

        return (path[..colon].Trim(), path[(colon + 1)..dot].Trim(), path[(dot + 1)..]);
    }

    private (string Command, string Section) ParseSection(string? path, string key)
    {
        int colon = path?.IndexOf(':', StringComparison.Ordinal) ?? -1;
        if (path is null || colon <= 0 || colon == path.Length - 1 || path.IndexOf('.', colon) >= 0)
        {
            throw Error(key, $"'{path}' must look like 'command:SECTION', e.g. 'devs:DEVS'.");
        }

        return (path[..colon].Trim(), path[(colon + 1)..].Trim());
    }

    private int ReadCommandIndex(string command, string key)
    {
        if (!_readCommands.Contains(command))
        {
            throw Error(key, $"reads the '{command}' reply but '{command}' is not in read.commands; add it there.");
        }

        return CommandIndex(command);
    }

    private int CommandIndex(string command)
    {
        int i = _commands.FindIndex(c => string.Equals(c, command, StringComparison.OrdinalIgnoreCase));
        if (i >= 0)
        {
            return i;
        }

        _commands.Add(command);
        return _commands.Count - 1;
    }

    private double HashrateFactor(string? unit, string key)
    {
        if (unit is null)
        {
            throw Error(key + ".unit", "a hashrate needs its unit; add 'unit: GH' (or H, KH, MH, TH, PH).");
        }

        if (!Hashrate.TryParseUnit(unit, out HashrateUnit parsed))
        {
            throw Error(key + ".unit", $"'{unit}' is not a hashrate unit; use H, KH, MH, GH, TH, PH or EH.");
        }

        return Hashrate.Factor(parsed);
    }

    private FieldAggregate ParseAggregate(string? aggregate, string key) => aggregate?.ToLowerInvariant() switch
    {
        null or "first" => FieldAggregate.First,
        "sum" => FieldAggregate.Sum,
        "max" => FieldAggregate.Max,
        _ => throw Error(key + ".aggregate", $"'{aggregate}' is not an aggregate; use first, sum or max."),
    };

    private int CheckSlots(bool indexed, int first, int last, string key)
    {
        if (!indexed)
        {
            return 0;
        }

        if (first < 0 || last < first || last - first >= MaxSlots)
        {
            throw Error(key + ".first/last", $"{first}..{last} is not a usable range; use e.g. first: 1, last: 16 (at most {MaxSlots} slots).");
        }

        return last - first + 1;
    }

    private static string[][] Expand(List<string> templates, int first, int slots)
    {
        var result = new string[slots][];
        for (int s = 0; s < slots; s++)
        {
            result[s] = [.. templates.Select(t => Fill(t, first + s))];
        }

        return result;
    }

    private static string[] ExpandOne(string template, int first, int slots)
    {
        var result = new string[slots];
        for (int s = 0; s < slots; s++)
        {
            result[s] = Fill(template, first + s);
        }

        return result;
    }

    private static string Fill(string template, int i) => template.Replace("{i}", i.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);

    private FirmwareProfileException Error(string key, string problem) => new(_file, key, problem);
}
