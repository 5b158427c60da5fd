using CloudMining.Farm.Simulator.Mining;

namespace CloudMining.Farm.Simulator;

/// <summary>The hardware model: hashrate per 5-second window, pool split and shares, temperatures, fans, power, and the view replies are rendered from.</summary>
public sealed partial class SimulatedMiner
{
    /// <summary>The share of nominal the chips work at: 0 asleep (miner-mode 1, power_off, curtail), else the hashrate-drop fault's factor under the power preset's, power limit's or tuner's.</summary>
    private double WorkFactor => _sleeping ? 0 : _hashrateFactor * _powerScale * PowerLimitFactor * TuneFactor;

    private double DifficultyFor(MinerPool pool) => _ledger.ShareDifficulty(pool.Url) ?? Spec.ShareDifficulty;

    internal bool IsUsable(MinerPool pool) => pool.Enabled && _ledger.IsAlive(pool.Url);

    /// <summary>Marks which pools get work now and returns each pool's share of the hashrate (all zero when no pool is usable).</summary>
    private double[] RecomputeActiveLocked()
    {
        double[] weights = new double[_pools.Count];
        MinerPool? best = null;
        int bestIndex = -1;
        double quotaSum = 0;
        bool[] wasActive = _pools.Select(p => p.Active).ToArray();
        for (int i = 0; i < _pools.Count; i++)
        {
            MinerPool p = _pools[i];
            p.Active = false;
            if (!IsUsable(p))
            {
                continue;
            }

            quotaSum += Math.Max(0, p.Quota);
            if (best is null || p.Priority < best.Priority)
            {
                best = p;
                bestIndex = i;
            }
        }

        if (Personality.UsesPoolGroups)
        {
            // LuxOS: each group's best usable pool (failover inside the group) gets the group's quota share.
            Dictionary<int, int> quotas = GroupQuotasLocked();
            var leaders = new Dictionary<int, int>();
            for (int i = 0; i < _pools.Count; i++)
            {
                if (IsUsable(_pools[i]) && (!leaders.TryGetValue(_pools[i].Group, out int at) || _pools[i].Priority < _pools[at].Priority))
                {
                    leaders[_pools[i].Group] = i;
                }
            }

            double groupSum = leaders.Keys.Sum(g => Math.Max(0, quotas.GetValueOrDefault(g, 1)));
            foreach ((int group, int i) in leaders)
            {
                weights[i] = groupSum > 0 ? Math.Max(0, quotas.GetValueOrDefault(group, 1)) / groupSum : 1.0 / leaders.Count;
                _pools[i].Active = weights[i] > 0;
            }
        }
        else if (_poolGroups is { Count: > 0 })
        {
            GroupWeightsLocked(weights);
        }
        else if (Spec.Strategy == PoolStrategy.LoadBalance && Personality.SupportsQuota && quotaSum > 0)
        {
            for (int i = 0; i < _pools.Count; i++)
            {
                MinerPool p = _pools[i];
                if (IsUsable(p) && p.Quota > 0)
                {
                    weights[i] = p.Quota / quotaSum;
                    p.Active = true;
                }
            }
        }
        else if (best is not null)
        {
            weights[bestIndex] = 1;
            best.Active = true;
        }

        for (int i = 0; i < _pools.Count; i++)
        {
            if (wasActive[i] && !_pools[i].Active)
            {
                _pools[i].DropPartialWork();
            }
        }

        return weights;
    }

    private double BoardRate(int board, long window, bool hasWork)
    {
        if (!hasWork || _lostBoards.Contains(board))
        {
            return 0;
        }

        double nominal = Model.NominalHashesPerSecond / Model.Boards;
        double noise = Spec.NoisePercent / 100.0 * DeterministicNoise.Symmetric(Spec.Seed, board, window);
        return nominal * WorkFactor * (1 + noise);
    }

    private void AdvanceLocked(DateTimeOffset now)
    {
        if (_state != MinerPowerState.Running)
        {
            _lastUpdate = now;
            return;
        }

        if (now <= _lastUpdate)
        {
            return;
        }

        double[] weights = RecomputeActiveLocked();
        bool hasWork = weights.Any(w => w > 0);
        double t = (_lastUpdate - _bootedAt).TotalSeconds;
        double t1 = (now - _bootedAt).TotalSeconds;
        double dt = t1 - t;
        long window = (long)Math.Floor(t / WindowSeconds);
        double hashes = 0;
        int steps = 0;
        while (t < t1)
        {
            if (++steps > MaxWindowsPerAdvance)
            {
                // A clock jump of days: the noise averages out, so integrate the rest at the noiseless rate.
                for (int b = 0; b < _boards.Length; b++)
                {
                    double rate = hasWork && !_lostBoards.Contains(b) ? Model.NominalHashesPerSecond / Model.Boards * WorkFactor : 0;
                    double h = rate * (t1 - t);
                    _boards[b].TotalHashes += h;
                    hashes += h;
                }

                break;
            }

            double end = Math.Min(t1, (window + 1) * WindowSeconds);
            double length = end - t;
            for (int b = 0; b < _boards.Length; b++)
            {
                double h = BoardRate(b, window, hasWork) * length;
                _boards[b].TotalHashes += h;
                hashes += h;
            }

            t = end;
            window++;
        }

        for (int i = 0; i < _pools.Count; i++)
        {
            if (weights[i] > 0)
            {
                _pools[i].AddHashes(hashes * weights[i], _lastUpdate, now, DifficultyFor(_pools[i]), Spec.RejectRate, Spec.StaleRate, _ledger);
            }
        }

        UpdateThermalsLocked(dt, hasWork);
        _lastUpdate = now;
    }

    private double LoadFraction(int board, bool hasWork) =>
        !hasWork || _lostBoards.Contains(board) ? 0 : WorkFactor;

    private void UpdateThermalsLocked(double dt, bool hasWork)
    {
        double alpha = 1 - Math.Exp(-dt / 45.0);
        double maxChip = _ambient;
        for (int b = 0; b < _boards.Length; b++)
        {
            double load = LoadFraction(b, hasWork);
            double targetChip = _ambient + (42 * load * (1.25 - (0.5 * _fanDuty / 100.0)));
            double targetBoard = _ambient + (0.55 * (targetChip - _ambient));
            Board board = _boards[b];
            board.ChipTemp += (targetChip - board.ChipTemp) * alpha;
            board.BoardTemp += (targetBoard - board.BoardTemp) * alpha;
            board.HardwareErrors += Spec.HardwareErrorsPerBoardHour / 3600.0 * dt * load;
            if (!_lostBoards.Contains(b))
            {
                maxChip = Math.Max(maxChip, board.ChipTemp);
            }
        }

        _fanDuty = (int)Math.Round(Math.Clamp(30 + ((maxChip - 60) * 3.5), 25, 100));
    }

    private void SettleTemperaturesLocked()
    {
        // Start warm, as a miner that has been running, so the first replies look like a live farm.
        for (int i = 0; i < 30; i++)
        {
            UpdateThermalsLocked(600, hasWork: true);
        }

        foreach (Board board in _boards)
        {
            board.HardwareErrors = 0;
        }
    }

    private MinerView ViewLocked(DateTimeOffset now)
    {
        bool running = _state == MinerPowerState.Running;
        double elapsed = running ? Math.Max(0, (now - _bootedAt).TotalSeconds) : 0;
        double[] weights = running ? RecomputeActiveLocked() : new double[_pools.Count];
        bool hasWork = weights.Any(w => w > 0);
        long window = (long)Math.Floor(elapsed / WindowSeconds);
        var boards = new BoardView[_boards.Length];
        for (int b = 0; b < _boards.Length; b++)
        {
            Board board = _boards[b];
            bool alive = !_lostBoards.Contains(b);
            double h5 = BoardRate(b, window, hasWork);
            double av = elapsed >= 1 ? board.TotalHashes / elapsed : h5;
            boards[b] = new BoardView(
                b,
                alive,
                alive ? Model.ChipsPerBoard : 0,
                h5,
                av,
                alive ? Model.NominalHashesPerSecond / Model.Boards : 0,
                // Sensors read with a little jitter per 5-second window, deterministic like the hashrate noise.
                alive ? Math.Round(board.ChipTemp + (0.6 * DeterministicNoise.Symmetric(Spec.Seed, 100 + b, window)), 1) : 0,
                alive ? Math.Round(board.BoardTemp + (0.4 * DeterministicNoise.Symmetric(Spec.Seed, 200 + b, window)), 1) : 0,
                (long)board.HardwareErrors,
                Identity.BoardSerials[b],
                board.TotalHashes);
        }

        var fans = new int[Model.Fans];
        for (int f = 0; f < fans.Length; f++)
        {
            double rpm = !running ? 0 : Model.MaxFanRpm * _fanDuty / 100.0 * (1 + (0.02 * ((f % 3) - 1)) + (0.01 * DeterministicNoise.Symmetric(Spec.Seed, 300 + f, window)));
            fans[f] = (int)(Math.Round(rpm / 30.0) * 30);
        }

        double meanLoad = Enumerable.Range(0, _boards.Length).Average(b => LoadFraction(b, hasWork));
        double power = !running ? 0 : Model.PowerWatts * (0.06 + (0.94 * meanLoad)) * (0.97 + (0.03 * _fanDuty / 100.0));
        var pools = new PoolView[_pools.Count];
        for (int i = 0; i < _pools.Count; i++)
        {
            MinerPool p = _pools[i];
            pools[i] = new PoolView(i, p.Url, p.User, p.Priority, p.Quota, p.Enabled, _ledger.IsAlive(p.Url), p.Active,
                p.Accepted, p.Rejected, p.Stale, p.Getworks, p.Diff1, DifficultyFor(p), p.LastShareAt, p.LastShareDifficulty,
                p.DifficultyAccepted, p.DifficultyRejected, p.DifficultyStale, p.Group);
        }

        return new MinerView(Id, Model, Identity, now, (long)elapsed, boards, fans, _fanDuty, Math.Round(power), _ambient, pools, Spec.Strategy);
    }

    private sealed class Board
    {
        public double TotalHashes;
        public double HardwareErrors;
        public double ChipTemp;
        public double BoardTemp;
    }
}
