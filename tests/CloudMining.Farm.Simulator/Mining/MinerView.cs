namespace CloudMining.Farm.Simulator.Mining;

/// <summary>Everything a personality needs to render a reply: an immutable snapshot of one miner at one instant.</summary>
public sealed record MinerView(
    string Id,
    MinerModel Model,
    MinerIdentityInfo Identity,
    DateTimeOffset Now,
    long Elapsed,
    IReadOnlyList<BoardView> Boards,
    IReadOnlyList<int> FanRpm,
    int FanDutyPercent,
    double PowerWatts,
    double AmbientCelsius,
    IReadOnlyList<PoolView> Pools,
    PoolStrategy Strategy)
{
    public long When => Now.ToUnixTimeSeconds();

    public double Hash5s => Boards.Sum(b => b.Hash5s);

    public double HashAverage => Boards.Sum(b => b.HashAverage);

    public double NominalHash => Boards.Sum(b => b.NominalHash);

    public double TotalHashes => Boards.Sum(b => b.TotalHashes);

    public long HardwareErrors => Boards.Sum(b => b.HardwareErrors);

    public long Accepted => Pools.Sum(p => p.Accepted);

    public long Rejected => Pools.Sum(p => p.Rejected);

    public long Stale => Pools.Sum(p => p.Stale);

    public double DifficultyAccepted => Pools.Sum(p => p.DifficultyAccepted);

    public double DifficultyRejected => Pools.Sum(p => p.DifficultyRejected);

    public double DifficultyStale => Pools.Sum(p => p.DifficultyStale);

    public double Diff1 => Pools.Sum(p => p.Diff1);

    public long Getworks => Pools.Sum(p => p.Getworks);

    public double MaxChipTemp => Boards.Where(b => b.Alive).Select(b => b.ChipTemp).DefaultIfEmpty(0).Max();

    public double MaxBoardTemp => Boards.Where(b => b.Alive).Select(b => b.BoardTemp).DefaultIfEmpty(0).Max();

    public int AliveBoards => Boards.Count(b => b.Alive);

    public int TotalChips => Boards.Sum(b => b.Chips);
}
