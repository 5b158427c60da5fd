using CloudMining.Farm.Gpio;
using CloudMining.Farm.Gpio.Drivers;
using Xunit;

namespace CloudMining.Farm.Tests.Gpio;

/// <summary>The chardev driver's failure paths, exercised against the real kernel (no gpio-sim module here, so no real chip).</summary>
public sealed class ChardevDriverTests
{
    [Fact]
    public void Missing_chip_device_names_the_path_and_what_to_check()
    {
        var ex = Assert.Throws<GpioChipException>(() => new ChardevDriver(97));

        Assert.Equal("/dev/gpiochip97", ex.DevicePath);
        Assert.Equal(2, ex.Errno); // ENOENT, straight from the kernel
        Assert.Contains("/dev/gpiochip97", ex.Message, StringComparison.Ordinal);
        Assert.Contains("ls /dev/gpiochip*", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_that_is_not_a_gpio_chip_is_rejected_by_the_chipinfo_ioctl()
    {
        string notAChip = Path.Combine(Directory.CreateTempSubdirectory("farm-gpio-chardev-").FullName, "gpiochip0");
        File.WriteAllText(notAChip, "");
        try
        {
            var ex = Assert.Throws<GpioChipException>(() => new ChardevDriver(notAChip));

            Assert.Equal(notAChip, ex.DevicePath);
            Assert.Equal(25, ex.Errno); // ENOTTY: the kernel refused our GPIO_GET_CHIPINFO_IOCTL on a regular file
            Assert.Contains("not a GPIO character device", ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(notAChip)!, recursive: true);
        }
    }
}
