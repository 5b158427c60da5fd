using System.Diagnostics;
using CloudMining.Farm.Ctl.Cli;
using CloudMining.Farm.Tests.Controller.Api;
using CloudMining.Farm.Shared.Wire;
using Xunit;

namespace CloudMining.Farm.Tests.Controller.Ctl;

/// <summary>farmctl and the API token: it sends the token from the file, and says what to do when it cannot read it.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
[Trait("Category", "Integration")]
public sealed class FarmctlTokenTests : IAsyncLifetime
{
    private TestApi _api = null!;

    public async Task InitializeAsync() => _api = await TestApi.StartAsync();

    public async Task DisposeAsync() => await _api.DisposeAsync();

    [Fact]
    public async Task Farmctl_with_the_token_file_sells_and_without_it_is_told_where_the_token_is()
    {
        (int code, string output, string error) = await FarmctlRun.InvokeAsync(
            "contracts", "add", "--id", "t1", "--customer", "acme", "--hashrate", "100 TH/s", "--pool-url", "stratum+tcp://pool.example.com:3333",
            "--worker", "acme.t1", "--end", "2027-01-01", "--api", _api.Url, "--token-file", _api.TokenFile);
        Assert.True(code == 0, error);
        Assert.Contains("Contract t1 sold", output, StringComparison.Ordinal);

        string missing = Path.Combine(Path.GetDirectoryName(_api.TokenFile)!, "no-such-token");
        (code, output, error) = await FarmctlRun.InvokeAsync("contracts", "end", "t1", "--api", _api.Url, "--token-file", missing);
        Assert.Equal(ExitCodes.UsageOrConnection, code);
        Assert.Contains($"the API token file {missing} does not exist", error, StringComparison.Ordinal);
        Assert.Contains("--token-file", error, StringComparison.Ordinal);
        Assert.NotEqual(ContractStatus.Ended, (await _api.Operations.GetContractAsync("t1", CancellationToken.None))?.Status);
    }

    [Fact]
    public async Task Farmctl_without_read_access_to_the_token_file_says_to_join_farm_operators()
    {
        (int code, string error) = Environment.UserName == "root"
            ? await AsRootAsync()
            : await WithoutReadAccessAsync(() => FarmctlRun.InvokeAsync("capacity", "--api", _api.Url, "--token-file", _api.TokenFile));
        Assert.Equal(ExitCodes.UsageOrConnection, code);
        Assert.Contains($"cannot read the API token file {_api.TokenFile}: permission denied", error, StringComparison.Ordinal);
        Assert.Contains("You are not in group farm-operators: ask the admin to add you", error, StringComparison.Ordinal);
        Assert.Contains("or run as the service user", error, StringComparison.Ordinal);
    }

    private async Task<(int Code, string Error)> WithoutReadAccessAsync(Func<Task<(int Code, string Out, string Error)>> run)
    {
        UnixFileMode mode = File.GetUnixFileMode(_api.TokenFile);
        File.SetUnixFileMode(_api.TokenFile, UnixFileMode.None);
        try
        {
            (int code, _, string error) = await run();
            return (code, error);
        }
        finally
        {
            File.SetUnixFileMode(_api.TokenFile, mode);
        }
    }

    /// <summary>
    /// root reads any file, so the operator outside the group is played by the real farmctl as user nobody. Where nobody
    /// cannot even start it (the checkout or the SDK under a private home), a directory stands in for the unreadable
    /// file: reading it fails with the same UnauthorizedAccessException for root too.
    /// </summary>
    private async Task<(int Code, string Error)> AsRootAsync()
    {
        (int code, string error) = await RunAsNobodyAsync("capacity", "--api", _api.Url, "--token-file", _api.TokenFile);
        if (error.StartsWith("farmctl: ", StringComparison.Ordinal))
        {
            return (code, error);
        }

        string file = _api.TokenFile;
        string saved = await File.ReadAllTextAsync(file);
        File.Delete(file);
        Directory.CreateDirectory(file);
        try
        {
            (code, _, error) = await FarmctlRun.InvokeAsync("capacity", "--api", _api.Url, "--token-file", file);
            return (code, error);
        }
        finally
        {
            Directory.Delete(file);
            await File.WriteAllTextAsync(file, saved);
        }
    }

    /// <summary>root reads any file, so the operator outside the group is played by the real farmctl as user nobody.</summary>
    private static async Task<(int Code, string Error)> RunAsNobodyAsync(params string[] args)
    {
        var start = new ProcessStartInfo("setpriv") { RedirectStandardError = true, RedirectStandardOutput = true, WorkingDirectory = Path.GetTempPath() };
        foreach (string a in new[] { "--reuid=65534", "--regid=65534", "--clear-groups", "dotnet", Path.Combine(AppContext.BaseDirectory, "farmctl.dll") }.Concat(args))
        {
            start.ArgumentList.Add(a);
        }

        start.Environment["HOME"] = Path.GetTempPath();
        start.Environment["DOTNET_CLI_HOME"] = Path.GetTempPath();
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (-1, $"setpriv could not be started: {e.Message}");
        }

        using var started = process;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        _ = await stdout;
        return (process.ExitCode, await stderr);
    }
}
