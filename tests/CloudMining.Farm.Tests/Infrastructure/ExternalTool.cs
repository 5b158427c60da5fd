using System.Diagnostics;
using System.Text;

namespace CloudMining.Farm.Tests.Infrastructure;

/// <summary>Runs a command-line tool (python3, openssl) with arguments and stdin, for vectors computed outside our code.</summary>
public static class ExternalTool
{
    public static string? Find(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);

    /// <summary>Standard output, trimmed; throws with stderr when the tool fails.</summary>
    public static string Run(string tool, IEnumerable<string> arguments, byte[]? stdin = null)
    {
        var info = new ProcessStartInfo(Find(tool) ?? throw new InvalidOperationException($"{tool} is not on PATH."))
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in arguments)
        {
            info.ArgumentList.Add(a);
        }

        using Process p = Process.Start(info)!;
        Task<string> output = p.StandardOutput.ReadToEndAsync();
        Task<string> error = p.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            p.StandardInput.BaseStream.Write(stdin);
        }

        p.StandardInput.Close();
        if (!p.WaitForExit(TimeSpan.FromSeconds(30)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{tool} did not finish in 30 s.");
        }

        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"{tool} {string.Join(' ', info.ArgumentList)} exited {p.ExitCode}: {error.Result}");
        }

        return output.Result.Trim();
    }

    public static string Python(string script, params string[] arguments) => Run("python3", ["-c", script, .. arguments]);

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}
