using System.Diagnostics;
using CloudMining.Farm.Tests.Infrastructure;
using Xunit;

namespace CloudMining.Farm.Tests.Deploy;

// install.sh is a Linux installer; these tests run bash.
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
[Trait("Category", "Integration")]
public sealed class InstallScriptTests
{
    private static async Task<(int Code, string Output)> RunAsync(string file, IEnumerable<string> args, IDictionary<string, string>? env = null)
    {
        IntegrationGuard.Starting($"{file} (a process)");
        var psi = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true, WorkingDirectory = RepoPaths.Root };
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }

        foreach ((string k, string v) in env ?? new Dictionary<string, string>())
        {
            psi.Environment[k] = v;
        }

        using Process p = Process.Start(psi)!;
        Task<string> err = p.StandardError.ReadToEndAsync();
        string output = await p.StandardOutput.ReadToEndAsync();
        await p.WaitForExitAsync();
        return (p.ExitCode, output + await err);
    }

    /// <summary>The agent as the build left it (farm-agent apphost, dll, firmware-profiles/): what `dotnet publish` would give.</summary>
    private static string AgentBuildOutput()
    {
        // The agent project's own output (6 MB), built with the same configuration as this test project.
        var testOutput = new DirectoryInfo(Path.GetDirectoryName(typeof(InstallScriptTests).Assembly.Location)!);
        string configuration = testOutput.Parent!.Name;
        string dir = Path.Combine(RepoPaths.Root, "agent", "CloudMining.Farm.Agent", "bin", configuration, testOutput.Name);
        Assert.True(File.Exists(Path.Combine(dir, "farm-agent.dll")), dir);
        return dir;
    }

    private static Dictionary<string, (string Mode, string Owner)> Manifest(string root, string name) =>
        File.ReadAllLines(Path.Combine(root, "opt", "cloudmining-farm", name + ".manifest"))
            .Select(l => l.Split(' ', 3))
            .ToDictionary(p => p[2], p => (p[0], p[1]));

    [Fact]
    public async Task Agent_install_into_a_staging_root_lays_out_program_config_unit_and_folders_and_keeps_the_config_on_rerun()
    {
        string root = Directory.CreateTempSubdirectory("farm-install-").FullName;
        try
        {
            (int code, string output) = await RunAsync("bash", ["install.sh", "--agent", "--binaries", AgentBuildOutput()], new Dictionary<string, string> { ["DESTDIR"] = root });
            Assert.True(code == 0, output);
            Assert.Contains("systemctl not run", output, StringComparison.Ordinal);

            string config = Path.Combine(root, "etc", "farm-agent", "agent.json");
            Assert.Equal(await File.ReadAllTextAsync(Path.Combine(RepoPaths.Root, "deploy", "agent.json.template")), await File.ReadAllTextAsync(config));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, File.GetUnixFileMode(config));
            Assert.True(File.Exists(Path.Combine(root, "etc", "systemd", "system", "farm-agent.service")));
            Assert.True(File.Exists(Path.Combine(root, "opt", "cloudmining-farm", "agent", "farm-agent.dll")));
            Assert.NotEmpty(Directory.GetFiles(Path.Combine(root, "opt", "cloudmining-farm", "agent", "firmware-profiles"), "*.yaml"));
            Assert.True((File.GetUnixFileMode(Path.Combine(root, "opt", "cloudmining-farm", "agent", "farm-agent")) & UnixFileMode.OtherExecute) != 0, "apphost executable");
            Assert.Equal("/opt/cloudmining-farm/agent/farm-agent", new FileInfo(Path.Combine(root, "usr", "local", "bin", "farm-agent")).LinkTarget);
            Assert.True(Directory.Exists(Path.Combine(root, "var", "lib", "farm-agent")));

            Dictionary<string, (string Mode, string Owner)> manifest = Manifest(root, "farm-agent");
            Assert.Equal(("0640", "root:farm-agent"), manifest["/etc/farm-agent/agent.json"]);
            Assert.Equal(("0750", "root:farm-agent"), manifest["/etc/farm-agent"]);
            Assert.Equal(("0644", "root:root"), manifest["/etc/systemd/system/farm-agent.service"]);
            Assert.Equal("farm-agent:farm-agent", manifest["/var/lib/farm-agent"].Owner);
            Assert.Equal("farm-agent:farm-agent", manifest["/var/log/farm-agent"].Owner);

            // The technician's edits survive a second install (an upgrade).
            const string Edited = "{ \"Agent\": { \"RackId\": \"A-07\" } }";
            await File.WriteAllTextAsync(config, Edited);
            (code, output) = await RunAsync("bash", ["install.sh", "--agent", "--root", root, "--binaries", AgentBuildOutput()]);
            Assert.True(code == 0, output);
            Assert.Contains("keeping /etc/farm-agent/agent.json", output, StringComparison.Ordinal);
            Assert.Equal(Edited, await File.ReadAllTextAsync(config));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task The_installed_agent_reads_the_template_and_check_names_what_to_fill_in()
    {
        string root = Directory.CreateTempSubdirectory("farm-install-").FullName;
        try
        {
            (int code, string output) = await RunAsync("bash", ["install.sh", "--agent", "--root", root, "--binaries", AgentBuildOutput()]);
            Assert.True(code == 0, output);

            // The template's comments and trailing commas are accepted; what is missing is named.
            string config = Path.Combine(root, "etc", "farm-agent", "agent.json");
            (code, output) = await RunAsync(Path.Combine(root, "opt", "cloudmining-farm", "agent", "farm-agent"), ["check", "--config", config, "--json"]);
            Assert.True(code == 1, output);
            using var doc = System.Text.Json.JsonDocument.Parse(output);
            var failed = doc.RootElement.GetProperty("checks").EnumerateArray()
                .Where(c => !c.GetProperty("passed").GetBoolean())
                .Select(c => c.GetProperty("subject").GetString() + ": " + c.GetProperty("detail").GetString())
                .ToList();
            Assert.Contains(failed, f => f.StartsWith("Agent:RackId: is missing", StringComparison.Ordinal));
            Assert.Contains(failed, f => f.StartsWith("Agent:Miners: no miners are listed", StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task Controller_install_writes_the_api_token_for_the_operators_group_and_keeps_it_on_rerun()
    {
        string root = Directory.CreateTempSubdirectory("farm-install-").FullName;
        try
        {
            string binaries = AgentBuildOutput().Replace(Path.Combine("agent", "CloudMining.Farm.Agent"), Path.Combine("controller", "CloudMining.Farm.Controller"), StringComparison.Ordinal);
            (int code, string output) = await RunAsync("bash", ["install.sh", "--controller", "--root", root, "--binaries", binaries]);
            Assert.True(code == 0, output);
            string token = Path.Combine(root, "var", "lib", "farm-controller", "api-token");
            string written = (await File.ReadAllTextAsync(token)).Trim();
            Assert.Matches("^[A-Za-z0-9_-]{40,}$", written);
            Assert.DoesNotContain(written, output, StringComparison.Ordinal);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, File.GetUnixFileMode(token));

            Dictionary<string, (string Mode, string Owner)> manifest = Manifest(root, "farm-controller");
            Assert.Equal(("0640", "farm-controller:farm-operators"), manifest["/var/lib/farm-controller/api-token"]);
            Assert.Equal(("0751", "farm-controller:farm-controller"), manifest["/var/lib/farm-controller"]);

            (code, output) = await RunAsync("bash", ["install.sh", "--controller", "--root", root, "--binaries", binaries]);
            Assert.True(code == 0, output);
            Assert.Equal(written, (await File.ReadAllTextAsync(token)).Trim());
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task Unknown_options_are_refused_with_the_usage()
    {
        (int code, string output) = await RunAsync("bash", ["install.sh", "--agent", "--bogus"]);
        Assert.Equal(2, code);
        Assert.Contains("unknown option '--bogus'", output, StringComparison.Ordinal);
        Assert.Contains("--root DIR", output, StringComparison.Ordinal);
    }
}
