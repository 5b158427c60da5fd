namespace CloudMining.Farm.Gpio.Drivers;

/// <summary>What the kernel says about one line of a chip: its name, who holds it, and how it is configured.</summary>
/// <param name="Offset">The line number on the chip.</param>
/// <param name="Name">The board's name for the line (e.g. GPIO17), empty when the device tree names none.</param>
/// <param name="Consumer">Who holds the line (farm-agent, sysfs, a kernel driver), empty when free.</param>
public sealed record GpioLineInfo(int Offset, string Name, string Consumer, bool IsUsed, bool IsOutput, bool IsActiveLow);
