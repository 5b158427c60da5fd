using CloudMining.Farm.Shared.MinerApi;
using CloudMining.Farm.Shared.Snapshots;
using CloudMining.Farm.Tests.Infrastructure;
using Xunit;

namespace CloudMining.Farm.Tests.Firmware;

/// <summary>Exact figures, read by hand from the captured bytes, for one miner of every firmware family with a profile.</summary>
public sealed class ExactValueTests
{
    [FixtureFact]
    public void Antminer_stock_S19_stats_decode_to_exact_hashrate_temperatures_fans_and_pool_figures()
    {
        MinerSnapshot s = Snapshot("antminer/antminer-s19-really-cold", "antminer");
        Assert.Equal("Antminer S19 Pro", s.Identity.Model);
        Close(110786.79e9, s.Hashrate5s?.HashesPerSecond);
        Close(111730.11e9, s.HashrateAverage?.HashesPerSecond);
        Close(111859.0e9, s.HashrateNominal?.HashesPerSecond);
        Assert.Equal(TimeSpan.FromSeconds(82852), s.Uptime);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1612807334), s.Timestamp);
        Assert.Equal([1, 2, 3], s.Boards.Select(b => b.Index));
        Close(37735.24e9, s.Boards[0].Hashrate?.HashesPerSecond);
        Close(34942.48e9, s.Boards[2].Hashrate?.HashesPerSecond);
        Assert.Equal([27.0, 25.0, 26.0], s.Boards.Select(b => b.ChipTemperature!.Value.Celsius));
        Assert.Equal([22.0, 20.0, 21.0], s.Boards.Select(b => b.BoardTemperature!.Value.Celsius));
        Assert.All(s.Boards, b => Assert.Equal(114, b.Chips));
        Assert.Equal([1527L, 2752L, 269L], s.Boards.Select(b => b.HardwareErrors!.Value));
        Assert.Equal([5520, 5400, 5040, 5040], s.Fans.Select(f => f.Rpm));
        PoolReading pool = Assert.Single(s.Pools);
        Assert.Equal("stratum+tcp://equihash.luxor.tech:700", pool.Url);
        Assert.Equal("x.001", pool.User);
        Assert.Equal("Alive", pool.Status);
        Assert.True(pool.Active);
        Assert.Equal((2848L, 20L, 0L), (pool.Accepted, pool.Rejected, pool.Stale));
        Assert.Equal((53843.0, 350.0), (pool.DifficultyAccepted, pool.DifficultyRejected));
        Assert.Null(pool.LastShareTime); // "0:00:02" is time since, not a clock
    }

    [FixtureFact]
    public void Antminer_S9_with_concatenated_stats_objects_reads_chains_six_to_eight()
    {
        MinerSnapshot s = Snapshot("antminer/antminer-s9-bad-temps", "antminer");
        Assert.Equal([6, 7, 8], s.Boards.Select(b => b.Index));
        Assert.StartsWith("Antminer S9", s.Identity.Model, StringComparison.Ordinal);
    }

    [FixtureFact]
    public void Antminer_L3_plus_reports_MH_per_second_in_its_GHS_fields()
    {
        MinerSnapshot s = Snapshot("antminer/antminer-l3", "antminer-altcoin");
        Close(504.56e6, s.Hashrate5s?.HashesPerSecond); // "GHS 5s":"504.56" on a 504 MH/s scrypt miner
        Assert.Equal(4, s.Boards.Count);
    }

    [FixtureFact]
    public void Braiins_OS_joins_devs_with_temps_by_ID_and_reads_MHS_fans_and_pools()
    {
        MinerSnapshot s = Snapshot("antminer/antminer-s9-bos", "braiins-os");
        Assert.Equal("0.2.0-d360818", s.Identity.Firmware);
        Close(14274425.317759488e6, s.Hashrate5s?.HashesPerSecond);
        Close(16698158.653278796e6, s.HashrateAverage?.HashesPerSecond);
        Assert.Equal(TimeSpan.FromSeconds(92), s.Uptime);
        Close(4683070.74742169e6, s.Boards[0].Hashrate?.HashesPerSecond);
        Assert.Equal([53.0, 46.0, 52.0], s.Boards.Select(b => b.BoardTemperature!.Value.Celsius));
        Assert.All(s.Boards, b => Assert.Null(b.ChipTemperature)); // BOSminer 0.2 reports Chip 0.0: no sensor
        Assert.Equal([1560, 1560, 0, 0], s.Fans.Select(f => f.Rpm));
        Assert.All(s.Fans, f => Assert.Equal(1.0, f.DutyPercent));
        PoolReading pool = s.Pools[0];
        Assert.Equal((68L, 2L), (pool.Accepted, pool.Rejected));
        Assert.Equal((359936.0, 1024.0), (pool.DifficultyAccepted, pool.DifficultyRejected));
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1597197610), pool.LastShareTime);
        Assert.Equal("Dead", s.Pools[1].Status);
    }

    [FixtureFact]
    public void Whatsminer_summary_gives_MHS_power_and_inlet_outlet_fans_and_devs_give_boards()
    {
        MinerSnapshot s = Snapshot("whatsminer/whatsminer-m20s-new-firmware", "whatsminer");
        Close(64143777.95e6, s.Hashrate5s?.HashesPerSecond);
        Close(68710597.19e6, s.HashrateAverage?.HashesPerSecond);
        Close(67051e9, s.HashrateNominal?.HashesPerSecond);
        Assert.Equal(3491, s.Power?.Watts);
        Assert.Equal(912, s.HardwareErrors);
        Assert.Equal("C4:11:04:01:3C:75", s.Identity.Mac);
        Assert.Equal([4950, 4920], s.Fans.Select(f => f.Rpm));
        BoardReading b = s.Boards[0];
        Close(19540157.81e6, b.Hashrate?.HashesPerSecond);
        Assert.Equal(87.7, b.ChipTemperature?.Celsius);
        Assert.Equal(71.5, b.BoardTemperature?.Celsius);
        Assert.Equal(111, b.Chips);
        Assert.Equal(324, b.HardwareErrors);
    }

    [FixtureFact]
    public void Avalon_15_module_vectors_become_three_boards_with_wall_power_and_fans()
    {
        MinerSnapshot s = Snapshot("avalon/avalon-15-194-pyasic", "avalon");
        Assert.Equal("AvalonMiner 15-194", s.Identity.Model);
        Assert.Equal("123456789012", s.Identity.Mac);
        Close(197497926.49e6, s.Hashrate5s?.HashesPerSecond);
        Close(192796247.36e6, s.HashrateAverage?.HashesPerSecond);
        Close(201920.42e9, s.HashrateNominal?.HashesPerSecond);
        Assert.Equal(3731, s.Power?.Watts);
        Assert.Equal([59459.52e9, 61407.83e9, 63139.66e9], s.Boards.Select(b => Math.Round(b.Hashrate!.Value.HashesPerSecond, 0)));
        Assert.Equal([77.0, 78.0, 77.0], s.Boards.Select(b => b.ChipTemperature!.Value.Celsius));
        Assert.Equal([69.0, 70.0, 71.0], s.Boards.Select(b => b.BoardTemperature!.Value.Celsius));
        Assert.Equal([4275, 4282], s.Fans.Select(f => f.Rpm));
    }

    [FixtureFact]
    public void Avalon_8_modules_are_boards_with_GHSmm_TMax_and_fan()
    {
        MinerSnapshot s = Snapshot("avalon/avalon-8xx", "avalon");
        Close(13646.20e9, s.Boards[0].Hashrate?.HashesPerSecond);
        Assert.Equal(84, s.Boards[0].ChipTemperature?.Celsius);
        Assert.Equal(1, s.Boards[0].HardwareErrors);
        Assert.Equal(5730, s.Fans[0].Rpm);
        Close(s.Boards.Sum(b => b.Hashrate!.Value.HashesPerSecond), s.Hashrate5s?.HashesPerSecond);
    }

    [FixtureFact]
    public void Blackminer_reads_hashrates_sent_as_strings()
    {
        MinerSnapshot s = Snapshot("blackminer/blackminer-f1", "blackminer");
        Close(16.0032e9, s.Hashrate5s?.HashesPerSecond);
        Close(28.0016e9, s.Boards[0].Hashrate?.HashesPerSecond);
        Assert.Equal([58.0, 51.0], s.Boards.Select(b => b.BoardTemperature!.Value.Celsius));
        Assert.Equal([3270, 3600], s.Fans.Select(f => f.Rpm));
        Assert.Equal(6, s.Boards[0].Chips);
    }

    [FixtureFact]
    public void Innosilicon_reads_numbered_stats_and_pool_sections()
    {
        MinerSnapshot s = Snapshot("innosilicon/innosilicon-a9-old", "innosilicon");
        Close(51451.63e6, s.Hashrate5s?.HashesPerSecond);
        Assert.Equal([47.0, 48.0, 45.0], s.Boards.Select(b => b.ChipTemperature!.Value.Celsius));
        Assert.All(s.Boards, b => Close(16500e6, b.Hashrate?.HashesPerSecond));
        Assert.Equal(["stratum+tcp://zcl.suprnova.cc:4042", "stratum+tcp://zcl.suprnova.cc:4043"], s.Pools.Select(p => p.Url));
        Assert.Equal(2113, s.Pools[0].Accepted);
    }

    [FixtureFact]
    public void Generic_cgminer_sums_the_devices_when_there_is_no_summary()
    {
        MinerSnapshot s = Snapshot("baikal/baikal-giant", "generic-cgminer");
        Close(6774.9047e6, s.Hashrate5s?.HashesPerSecond);
        Assert.Equal(8, s.Boards.Count);
        Assert.Equal(51, s.Boards[0].BoardTemperature?.Celsius);
    }

    [FixtureFact]
    public void Generic_cgminer_reads_strongu_despite_a_raw_newline_and_trailing_garbage()
    {
        MinerSnapshot s = Snapshot("strongu/strongu-stu-2", "generic-cgminer");
        Close(6413329.18e6, s.Hashrate5s?.HashesPerSecond);
        Assert.Equal(200, s.HardwareErrors);
        Assert.Equal(162, s.Pools[0].Accepted);
        Assert.Equal(192509.0625, s.Pools[0].DifficultyAccepted);
    }

    private static MinerSnapshot Snapshot(string folder, string expectedProfile)
    {
        (var profile, MinerReadResult result) = FixtureMiner.Decode(folder);
        Assert.Equal(expectedProfile, profile.Name);
        Assert.True(result.IsSuccess, result.Error?.ToString());
        return result.Snapshot;
    }

    private static void Close(double expected, double? actual)
    {
        Assert.NotNull(actual);
        Assert.True(Math.Abs(expected - actual.Value) <= Math.Abs(expected) * 1e-9, $"expected {expected:R}, got {actual.Value:R}");
    }
}
