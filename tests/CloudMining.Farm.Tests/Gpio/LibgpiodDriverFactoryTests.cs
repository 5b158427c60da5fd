using System.Runtime.InteropServices;
using CloudMining.Farm.Gpio;
using CloudMining.Farm.Gpio.Drivers;
using Xunit;

namespace CloudMining.Farm.Tests.Gpio;

/// <summary>Which of System.Device.Gpio's libgpiod drivers opens the relay chip, and what a technician is told when none can.</summary>
public sealed class LibgpiodDriverFactoryTests
{
    [Theory]
    [InlineData(new[] { "libgpiod.so.3", "libgpiod.so.2" }, LibgpiodApi.V2)]
    [InlineData(new[] { "libgpiod.so.3" }, LibgpiodApi.V2)]
    [InlineData(new[] { "libgpiod.so.2" }, LibgpiodApi.V1)]
    [InlineData(new[] { "libgpiod.so.1" }, LibgpiodApi.V1)]
    public void The_driver_follows_the_libgpiod_that_is_installed(string[] installed, LibgpiodApi expected) =>
        Assert.Equal(expected, LibgpiodDriverFactory.Select(installed.Contains, "/dev/gpiochip0"));

    [Fact]
    public void Without_libgpiod_the_error_names_the_chip_and_the_package_to_install()
    {
        var ex = Assert.Throws<GpioChipException>(() => LibgpiodDriverFactory.Open("/dev/gpiochip0", _ => false));

        Assert.Equal("/dev/gpiochip0", ex.DevicePath);
        Assert.Contains("/dev/gpiochip0", ex.Message, StringComparison.Ordinal);
        Assert.Contains("libgpiod is not installed", ex.Message, StringComparison.Ordinal);
        Assert.Contains("apt-get install libgpiod2", ex.Message, StringComparison.Ordinal);
        Assert.Contains("install.sh --agent", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/dev/gpiochip0", 0)]
    [InlineData("/dev/gpiochip12", 12)]
    public void Chips_are_opened_by_their_number(string path, int number) =>
        Assert.Equal(number, LibgpiodDriverFactory.ChipNumber(path));

    [Fact]
    public void A_udev_symlink_is_followed_to_the_chip_it_names()
    {
        string dir = Directory.CreateTempSubdirectory("farm-gpio-link-").FullName;
        try
        {
            string link = Path.Combine(dir, "relay-board");
            File.CreateSymbolicLink(link, "/dev/gpiochip3");

            Assert.Equal(3, LibgpiodDriverFactory.ChipNumber(link));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void A_path_that_is_no_gpio_chip_is_refused_saying_what_to_write()
    {
        var ex = Assert.Throws<GpioChipException>(() => LibgpiodDriverFactory.ChipNumber("/dev/ttyUSB0"));

        Assert.Contains("'/dev/ttyUSB0' is not a GPIO chip device", ex.Message, StringComparison.Ordinal);
        Assert.Contains("/dev/gpiochipN", ex.Message, StringComparison.Ordinal);
    }

    /// <summary>The package's real libgpiod 1 driver on this machine (no chip here): its failure comes back naming the chip.</summary>
    [Fact]
    public void A_missing_chip_is_reported_through_the_packages_driver_naming_the_path()
    {
        Assert.True(NativeLibrary.TryLoad("libgpiod.so.2", out IntPtr handle) || NativeLibrary.TryLoad("libgpiod.so.3", out handle),
            "libgpiod is not installed on this machine; install it: ./install.sh --deps (it installs libgpiod2)");
        NativeLibrary.Free(handle);

        var ex = Assert.Throws<GpioChipException>(() => LibgpiodDriverFactory.Open("/dev/gpiochip99"));

        Assert.Contains("/dev/gpiochip99", ex.Message, StringComparison.Ordinal);
        Assert.Contains("LibGpiod", ex.Message, StringComparison.Ordinal);
        Assert.Contains("gpiodetect", ex.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<IOException>(ex.InnerException);
    }
}
