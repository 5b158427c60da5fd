using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using CloudMining.Farm.Gpio.Drivers.Chardev;
using Xunit;

namespace CloudMining.Farm.Tests.Gpio;

/// <summary>Compiles a C program against the kernel's linux/gpio.h and holds our structs and ioctl numbers to its answers.</summary>
public sealed class GpioUapiLayoutTests
{
    private const string InstallAdvice = "install it: ./install.sh --deps";

    // (C struct, C field, C# struct, C# field): every field the driver reads or writes, plus reserved padding that fixes offsets.
    private static readonly (string CStruct, string CField, Type Type, string Field)[] Fields =
    [
        ("gpiochip_info", "name", typeof(GpioChipInfo), nameof(GpioChipInfo.Name)),
        ("gpiochip_info", "label", typeof(GpioChipInfo), nameof(GpioChipInfo.Label)),
        ("gpiochip_info", "lines", typeof(GpioChipInfo), nameof(GpioChipInfo.Lines)),
        ("gpio_v2_line_values", "bits", typeof(GpioV2LineValues), nameof(GpioV2LineValues.Bits)),
        ("gpio_v2_line_values", "mask", typeof(GpioV2LineValues), nameof(GpioV2LineValues.Mask)),
        ("gpio_v2_line_attribute", "id", typeof(GpioV2LineAttribute), nameof(GpioV2LineAttribute.Id)),
        ("gpio_v2_line_attribute", "padding", typeof(GpioV2LineAttribute), nameof(GpioV2LineAttribute.Padding)),
        ("gpio_v2_line_attribute", "flags", typeof(GpioV2LineAttribute), nameof(GpioV2LineAttribute.Flags)),
        ("gpio_v2_line_attribute", "values", typeof(GpioV2LineAttribute), nameof(GpioV2LineAttribute.Values)),
        ("gpio_v2_line_attribute", "debounce_period_us", typeof(GpioV2LineAttribute), nameof(GpioV2LineAttribute.DebouncePeriodUs)),
        ("gpio_v2_line_config_attribute", "attr", typeof(GpioV2LineConfigAttribute), nameof(GpioV2LineConfigAttribute.Attr)),
        ("gpio_v2_line_config_attribute", "mask", typeof(GpioV2LineConfigAttribute), nameof(GpioV2LineConfigAttribute.Mask)),
        ("gpio_v2_line_config", "flags", typeof(GpioV2LineConfig), nameof(GpioV2LineConfig.Flags)),
        ("gpio_v2_line_config", "num_attrs", typeof(GpioV2LineConfig), nameof(GpioV2LineConfig.NumAttrs)),
        ("gpio_v2_line_config", "padding", typeof(GpioV2LineConfig), nameof(GpioV2LineConfig.Padding)),
        ("gpio_v2_line_config", "attrs", typeof(GpioV2LineConfig), nameof(GpioV2LineConfig.Attrs)),
        ("gpio_v2_line_request", "offsets", typeof(GpioV2LineRequest), nameof(GpioV2LineRequest.Offsets)),
        ("gpio_v2_line_request", "consumer", typeof(GpioV2LineRequest), nameof(GpioV2LineRequest.Consumer)),
        ("gpio_v2_line_request", "config", typeof(GpioV2LineRequest), nameof(GpioV2LineRequest.Config)),
        ("gpio_v2_line_request", "num_lines", typeof(GpioV2LineRequest), nameof(GpioV2LineRequest.NumLines)),
        ("gpio_v2_line_request", "event_buffer_size", typeof(GpioV2LineRequest), nameof(GpioV2LineRequest.EventBufferSize)),
        ("gpio_v2_line_request", "padding", typeof(GpioV2LineRequest), nameof(GpioV2LineRequest.Padding)),
        ("gpio_v2_line_request", "fd", typeof(GpioV2LineRequest), nameof(GpioV2LineRequest.Fd)),
        ("gpio_v2_line_info", "name", typeof(GpioV2LineInfo), nameof(GpioV2LineInfo.Name)),
        ("gpio_v2_line_info", "consumer", typeof(GpioV2LineInfo), nameof(GpioV2LineInfo.Consumer)),
        ("gpio_v2_line_info", "offset", typeof(GpioV2LineInfo), nameof(GpioV2LineInfo.Offset)),
        ("gpio_v2_line_info", "num_attrs", typeof(GpioV2LineInfo), nameof(GpioV2LineInfo.NumAttrs)),
        ("gpio_v2_line_info", "flags", typeof(GpioV2LineInfo), nameof(GpioV2LineInfo.Flags)),
        ("gpio_v2_line_info", "attrs", typeof(GpioV2LineInfo), nameof(GpioV2LineInfo.Attrs)),
        ("gpio_v2_line_info", "padding", typeof(GpioV2LineInfo), nameof(GpioV2LineInfo.Padding)),
        ("gpio_v2_line_event", "timestamp_ns", typeof(GpioV2LineEvent), nameof(GpioV2LineEvent.TimestampNs)),
        ("gpio_v2_line_event", "id", typeof(GpioV2LineEvent), nameof(GpioV2LineEvent.Id)),
        ("gpio_v2_line_event", "offset", typeof(GpioV2LineEvent), nameof(GpioV2LineEvent.Offset)),
        ("gpio_v2_line_event", "seqno", typeof(GpioV2LineEvent), nameof(GpioV2LineEvent.Seqno)),
        ("gpio_v2_line_event", "line_seqno", typeof(GpioV2LineEvent), nameof(GpioV2LineEvent.LineSeqno)),
        ("gpio_v2_line_event", "padding", typeof(GpioV2LineEvent), nameof(GpioV2LineEvent.Padding)),
        ("pollfd", "fd", typeof(PollFd), nameof(PollFd.Fd)),
        ("pollfd", "events", typeof(PollFd), nameof(PollFd.Events)),
        ("pollfd", "revents", typeof(PollFd), nameof(PollFd.Revents)),
    ];

    private static readonly (string CName, ulong Ours)[] Constants =
    [
        ("GPIO_GET_CHIPINFO_IOCTL", GpioUapi.GetChipInfoIoctl),
        ("GPIO_V2_GET_LINEINFO_IOCTL", GpioUapi.GetLineInfoIoctl),
        ("GPIO_V2_GET_LINE_IOCTL", GpioUapi.GetLineIoctl),
        ("GPIO_V2_LINE_SET_CONFIG_IOCTL", GpioUapi.LineSetConfigIoctl),
        ("GPIO_V2_LINE_GET_VALUES_IOCTL", GpioUapi.LineGetValuesIoctl),
        ("GPIO_V2_LINE_SET_VALUES_IOCTL", GpioUapi.LineSetValuesIoctl),
        ("GPIO_MAX_NAME_SIZE", GpioUapi.MaxNameSize),
        ("GPIO_V2_LINES_MAX", GpioUapi.LinesMax),
        ("GPIO_V2_LINE_NUM_ATTRS_MAX", GpioUapi.LineNumAttrsMax),
        ("GPIO_V2_LINE_FLAG_USED", GpioUapi.FlagUsed),
        ("GPIO_V2_LINE_FLAG_ACTIVE_LOW", GpioUapi.FlagActiveLow),
        ("GPIO_V2_LINE_FLAG_INPUT", GpioUapi.FlagInput),
        ("GPIO_V2_LINE_FLAG_OUTPUT", GpioUapi.FlagOutput),
        ("GPIO_V2_LINE_FLAG_EDGE_RISING", GpioUapi.FlagEdgeRising),
        ("GPIO_V2_LINE_FLAG_EDGE_FALLING", GpioUapi.FlagEdgeFalling),
        ("GPIO_V2_LINE_FLAG_OPEN_DRAIN", GpioUapi.FlagOpenDrain),
        ("GPIO_V2_LINE_FLAG_OPEN_SOURCE", GpioUapi.FlagOpenSource),
        ("GPIO_V2_LINE_FLAG_BIAS_PULL_UP", GpioUapi.FlagBiasPullUp),
        ("GPIO_V2_LINE_FLAG_BIAS_PULL_DOWN", GpioUapi.FlagBiasPullDown),
        ("GPIO_V2_LINE_FLAG_BIAS_DISABLED", GpioUapi.FlagBiasDisabled),
        ("GPIO_V2_LINE_ATTR_ID_FLAGS", GpioUapi.AttrIdFlags),
        ("GPIO_V2_LINE_ATTR_ID_OUTPUT_VALUES", GpioUapi.AttrIdOutputValues),
        ("GPIO_V2_LINE_ATTR_ID_DEBOUNCE", GpioUapi.AttrIdDebounce),
        ("GPIO_V2_LINE_EVENT_RISING_EDGE", GpioUapi.LineEventRisingEdge),
        ("GPIO_V2_LINE_EVENT_FALLING_EDGE", GpioUapi.LineEventFallingEdge),

        // libc constants the driver passes to open/poll/eventfd and the errno values it explains.
        ("O_RDWR", Libc.ORdWr),
        ("O_CLOEXEC", Libc.OCloExec),
        ("EFD_CLOEXEC", Libc.EfdCloExec),
        ("EFD_NONBLOCK", Libc.EfdNonBlock),
        ("POLLIN", (ulong)Libc.PollIn),
        ("POLLERR", (ulong)Libc.PollErr),
        ("POLLHUP", (ulong)Libc.PollHup),
        ("POLLNVAL", (ulong)Libc.PollNval),
        ("EPERM", Libc.EPERM),
        ("ENOENT", Libc.ENOENT),
        ("EINTR", Libc.EINTR),
        ("EAGAIN", Libc.EAGAIN),
        ("EACCES", Libc.EACCES),
        ("EBUSY", Libc.EBUSY),
        ("ENODEV", Libc.ENODEV),
        ("EINVAL", Libc.EINVAL),
        ("ENOTTY", Libc.ENOTTY),
    ];

    private static readonly string[] CompilerNames = ["cc", "gcc"];

    private static readonly Lazy<Dictionary<string, ulong>> Kernel = new(AskTheKernelHeader);

    [Fact]
    public void Ioctl_numbers_and_constants_match_linux_gpio_h()
    {
        var mismatches = new List<string>();
        foreach ((string name, ulong ours) in Constants)
        {
            ulong theirs = Expect(name);
            if (theirs != ours)
            {
                mismatches.Add($"{name}: kernel 0x{theirs:X}, ours 0x{ours:X}");
            }
        }

        Assert.True(mismatches.Count == 0, string.Join(Environment.NewLine, mismatches));
    }

    [Fact]
    public void Struct_sizes_match_linux_gpio_h()
    {
        var mismatches = new List<string>();
        foreach (Type type in Fields.Select(f => f.Type).Distinct())
        {
            string cStruct = Fields.First(f => f.Type == type).CStruct;
            ulong kernel = Expect($"sizeof {cStruct}");
            int marshalled = Marshal.SizeOf(type);

            // The driver hands the kernel a pointer to the managed struct, so the managed size must agree too.
            int managed = (int)typeof(Unsafe).GetMethod(nameof(Unsafe.SizeOf))!.MakeGenericMethod(type).Invoke(null, null)!;
            if ((ulong)marshalled != kernel || (ulong)managed != kernel)
            {
                mismatches.Add($"struct {cStruct}: kernel {kernel} bytes, {type.Name} marshals to {marshalled} and is {managed} in memory");
            }
        }

        Assert.True(mismatches.Count == 0, string.Join(Environment.NewLine, mismatches));
    }

    [Fact]
    public void Field_offsets_and_sizes_match_linux_gpio_h()
    {
        var mismatches = new List<string>();
        foreach ((string cStruct, string cField, Type type, string field) in Fields)
        {
            ulong kernelOffset = Expect($"offsetof {cStruct}.{cField}");
            ulong kernelSize = Expect($"sizeof {cStruct}.{cField}");
            long ourOffset = Marshal.OffsetOf(type, field).ToInt64();
            FieldInfo info = type.GetField(field) ?? throw new InvalidOperationException($"{type.Name}.{field} not found");
            int ourSize = Marshal.SizeOf(info.FieldType);
            if ((ulong)ourOffset != kernelOffset || (ulong)ourSize != kernelSize)
            {
                mismatches.Add($"{cStruct}.{cField}: kernel offset {kernelOffset} size {kernelSize}; {type.Name}.{field} offset {ourOffset} size {ourSize}");
            }
        }

        Assert.True(mismatches.Count == 0, string.Join(Environment.NewLine, mismatches));
    }

    private static ulong Expect(string key) =>
        Kernel.Value.TryGetValue(key, out ulong value)
            ? value
            : throw new InvalidOperationException($"The probe program printed no '{key}'; the test's C source and table disagree.");

    private static Dictionary<string, ulong> AskTheKernelHeader()
    {
        string compiler = FindCompiler()
            ?? throw new InvalidOperationException($"No C compiler (cc or gcc) on PATH; the GPIO layout check needs one and linux/gpio.h: {InstallAdvice}");

        string dir = Directory.CreateTempSubdirectory("farm-gpio-uapi-").FullName;
        try
        {
            string source = Path.Combine(dir, "probe.c");
            string binary = Path.Combine(dir, "probe");
            File.WriteAllText(source, ProbeSource());
            (int rc, string output) = Run(compiler, ["-std=gnu11", "-Wall", "-Werror", "-o", binary, source]);
            if (rc != 0)
            {
                string hint = output.Contains("gpio.h", StringComparison.Ordinal)
                    ? $"linux/gpio.h is missing (Debian package linux-libc-dev): {InstallAdvice}"
                    : $"the probe did not compile; if the toolchain is incomplete, {InstallAdvice}";
                throw new InvalidOperationException($"{compiler} failed ({rc}): {hint}{Environment.NewLine}{output}");
            }

            (rc, output) = Run(binary, []);
            Assert.True(rc == 0, $"probe exited {rc}: {output}");
            var values = new Dictionary<string, ulong>(StringComparer.Ordinal);
            foreach (string line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                int eq = line.LastIndexOf('=');
                values[line[..eq]] = ulong.Parse(line[(eq + 1)..], CultureInfo.InvariantCulture);
            }

            return values;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static string ProbeSource()
    {
        var c = new System.Text.StringBuilder();
        c.AppendLine("#include <stdio.h>");
        c.AppendLine("#include <stddef.h>");
        c.AppendLine("#include <errno.h>");
        c.AppendLine("#include <fcntl.h>");
        c.AppendLine("#include <poll.h>");
        c.AppendLine("#include <sys/eventfd.h>");
        c.AppendLine("#include <linux/gpio.h>");
        c.AppendLine("#define FIELD(s, f) printf(\"offsetof \" #s \".\" #f \"=%zu\\n\", offsetof(struct s, f)); printf(\"sizeof \" #s \".\" #f \"=%zu\\n\", sizeof(((struct s *)0)->f));");
        c.AppendLine("int main(void) {");
        foreach ((string name, _) in Constants)
        {
            c.AppendLine(CultureInfo.InvariantCulture, $"  printf(\"{name}=%llu\\n\", (unsigned long long)({name}));");
        }

        foreach (string s in Fields.Select(f => f.CStruct).Distinct())
        {
            c.AppendLine(CultureInfo.InvariantCulture, $"  printf(\"sizeof {s}=%zu\\n\", sizeof(struct {s}));");
        }

        foreach ((string s, string f, _, _) in Fields)
        {
            c.AppendLine(CultureInfo.InvariantCulture, $"  FIELD({s}, {f})");
        }

        c.AppendLine("  return 0;");
        c.AppendLine("}");
        return c.ToString();
    }

    private static string? FindCompiler()
    {
        string[] path = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries);
        return CompilerNames
            .SelectMany(name => path.Select(dir => Path.Combine(dir, name)))
            .FirstOrDefault(File.Exists);
    }

    private static (int ExitCode, string Output) Run(string file, string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in args)
        {
            start.ArgumentList.Add(a);
        }

        using Process process = Process.Start(start) ?? throw new InvalidOperationException($"Cannot start {file}");
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} did not finish within 60 s");
        }

        return (process.ExitCode, stdout.GetAwaiter().GetResult() + stderr.GetAwaiter().GetResult());
    }
}
