using System.Device.Gpio;
using CloudMining.Farm.Gpio;
using CloudMining.Farm.Simulator.Power;
using Xunit;

namespace CloudMining.Farm.Tests.Gpio;

/// <summary>System.Device.Gpio's controller driven over our simulated chip (a package <see cref="GpioDriver"/>): the behaviour the agent's relay code relies on.</summary>
public sealed class GpioControllerSimulatorTests
{
    [Fact]
    public void Written_output_reads_back_and_reaches_the_wire()
    {
        var chip = new GpioDriverSimulator(8);
        using var gpio = new GpioController(chip);

        gpio.OpenPin(3, PinMode.Output);
        gpio.Write(3, PinValue.High);

        Assert.True(gpio.IsPinOpen(3));
        Assert.Equal(PinValue.High, gpio.Read(3));
        Assert.Equal(PinValue.High, chip.GetPhysicalLevel(3));
        Assert.Equal(PinMode.Output, gpio.GetPinMode(3));
        Assert.Equal(8, gpio.PinCount);
    }

    [Fact]
    public void Active_low_line_inverts_between_logical_value_and_wire()
    {
        var chip = new GpioDriverSimulator(4, activeLowPins: [1]);
        using var gpio = new GpioController(chip);

        gpio.OpenPin(1, PinMode.Output, PinValue.High);
        Assert.Equal(PinValue.Low, chip.GetPhysicalLevel(1));

        gpio.Write(1, PinValue.Low);
        Assert.Equal(PinValue.High, chip.GetPhysicalLevel(1));
        Assert.Equal(PinValue.Low, gpio.Read(1));
    }

    [Fact]
    public void Active_low_input_reads_the_inverse_of_the_driven_level()
    {
        var chip = new GpioDriverSimulator(4, activeLowPins: [2]);
        using var gpio = new GpioController(chip);
        gpio.OpenPin(2, PinMode.Input);

        chip.SetInputLevel(2, PinValue.Low);

        Assert.Equal(PinValue.High, gpio.Read(2));
    }

    [Fact]
    public void Pull_up_input_reads_high_until_something_pulls_it_down()
    {
        var chip = new GpioDriverSimulator(4);
        using var gpio = new GpioController(chip);
        gpio.OpenPin(0, PinMode.InputPullUp);

        Assert.Equal(PinValue.High, gpio.Read(0));
        chip.SetInputLevel(0, PinValue.Low);
        Assert.Equal(PinValue.Low, gpio.Read(0));
    }

    [Fact]
    public void Relay_line_change_is_announced_with_its_physical_level()
    {
        var chip = new GpioDriverSimulator(4, activeLowPins: [0]);
        var seen = new List<(int Pin, PinValue Logical, PinValue Physical)>();
        chip.LineChanged += (_, e) => seen.Add((e.PinNumber, e.LogicalValue, e.PhysicalLevel));
        using var gpio = new GpioController(chip);

        gpio.OpenPin(0, PinMode.Output, PinValue.Low);
        gpio.Write(0, PinValue.High);
        gpio.Write(0, PinValue.High);
        gpio.Write(0, PinValue.Low);

        // Repeating a value is not a change; the simulator's miner must not see a phantom power cycle.
        Assert.Equal([(0, PinValue.High, PinValue.Low), (0, PinValue.Low, PinValue.High)], seen);
    }

    [Fact]
    public void Callbacks_fire_only_for_the_requested_edges()
    {
        var chip = new GpioDriverSimulator(4);
        using var gpio = new GpioController(chip);
        gpio.OpenPin(2, PinMode.Input);
        var edges = new List<PinEventTypes>();
        void OnChange(object sender, PinValueChangedEventArgs e) => edges.Add(e.ChangeType);
        gpio.RegisterCallbackForPinValueChangedEvent(2, PinEventTypes.Falling, OnChange);

        chip.SetInputLevel(2, PinValue.High);
        chip.SetInputLevel(2, PinValue.Low);
        chip.SetInputLevel(2, PinValue.High);
        gpio.UnregisterCallbackForPinValueChangedEvent(2, OnChange);
        chip.SetInputLevel(2, PinValue.Low);

        Assert.Equal([PinEventTypes.Falling], edges);
    }

    [Fact]
    public void A_value_written_to_an_input_is_driven_from_the_first_instant_it_becomes_an_output()
    {
        var chip = new GpioDriverSimulator(4);
        var seen = new List<PinValue>();
        chip.LineChanged += (_, e) => seen.Add(e.PhysicalLevel);
        using var gpio = new GpioController(chip);
        gpio.OpenPin(1, PinMode.Input);
        chip.SetInputLevel(1, PinValue.High);
        seen.Clear();

        gpio.Write(1, PinValue.High); // remembered, not driven: the line is an input
        gpio.SetPinMode(1, PinMode.Output);

        // The relay controller takes its lines this way: no glitch through Low on the way to an output.
        Assert.Empty(seen);
        Assert.Equal(PinMode.Output, gpio.GetPinMode(1));
        Assert.Equal(PinValue.High, chip.GetPhysicalLevel(1));
    }

    [Fact]
    public void Using_a_pin_that_is_not_open_says_so()
    {
        using var gpio = new GpioController(new GpioDriverSimulator(4));

        var ex = Assert.Throws<InvalidOperationException>(() => gpio.Read(1));
        Assert.Contains("not open", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Pin_outside_the_chip_is_rejected_naming_the_valid_range()
    {
        using var gpio = new GpioController(new GpioDriverSimulator(4));

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => gpio.OpenPin(4));
        Assert.Contains("0..3", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Closing_releases_the_line_and_dispose_closes_the_rest()
    {
        var chip = new GpioDriverSimulator(4);
        var gpio = new GpioController(chip);
        gpio.OpenPin(0, PinMode.Output);
        gpio.OpenPin(1, PinMode.Output);

        gpio.ClosePin(0);
        Assert.False(gpio.IsPinOpen(0));
        Assert.False(chip.IsOpen(0));
        Assert.True(chip.IsOpen(1));

        gpio.Dispose();
        Assert.False(chip.IsOpen(1));
        Assert.Throws<ObjectDisposedException>(() => gpio.OpenPin(2));
    }

    [Fact]
    public void Chip_that_fails_to_open_surfaces_as_a_gpio_chip_exception()
    {
        var chip = new GpioDriverSimulator(4, chipName: "sim-relays");
        chip.InjectChipOpenFailure("permission denied");
        using var gpio = new GpioController(chip);

        var ex = Assert.Throws<GpioChipException>(() => gpio.OpenPin(0));
        Assert.Contains("sim-relays", ex.Message, StringComparison.Ordinal);
        Assert.Contains("permission denied", ex.Message, StringComparison.Ordinal);
        Assert.False(gpio.IsPinOpen(0));

        chip.ClearFaults();
        gpio.OpenPin(0);
        Assert.True(gpio.IsPinOpen(0));
    }

    [Fact]
    public void Failed_line_refuses_reads_and_writes_but_leaves_others_working()
    {
        var chip = new GpioDriverSimulator(4);
        using var gpio = new GpioController(chip);
        gpio.OpenPin(0, PinMode.Output);
        gpio.OpenPin(1, PinMode.Output);
        chip.InjectLineFailure(0, "expander not responding");

        Assert.Throws<GpioChipException>(() => gpio.Write(0, PinValue.High));
        Assert.Throws<GpioChipException>(() => gpio.Read(0));
        gpio.Write(1, PinValue.High);
        Assert.Equal(PinValue.High, gpio.Read(1));
    }

    [Fact]
    public void Toggle_flips_an_output()
    {
        using var gpio = new GpioController(new GpioDriverSimulator(2));
        gpio.OpenPin(0, PinMode.Output, PinValue.Low);

        gpio.Toggle(0);

        Assert.Equal(PinValue.High, gpio.Read(0));
    }

    [Fact]
    public async Task Callback_may_read_through_the_controller_while_a_write_is_in_progress()
    {
        var chip = new GpioDriverSimulator(4);
        using var gpio = new GpioController(chip);
        gpio.OpenPin(0, PinMode.Output, PinValue.Low);
        gpio.OpenPin(1, PinMode.Input);
        PinValue? seenInCallback = null;
        chip.LineChanged += (_, e) =>
        {
            if (e.PinNumber == 0)
            {
                seenInCallback = gpio.Read(0); // same thread, controller lock already held by Write
            }
        };

        // Run on another thread with a deadline so a deadlock fails the test instead of hanging the run.
        await Task.Run(() => gpio.Write(0, PinValue.High)).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(PinValue.High, seenInCallback);
    }

    [Fact]
    public async Task Input_driven_from_another_thread_reaches_the_callback()
    {
        var chip = new GpioDriverSimulator(4);
        using var gpio = new GpioController(chip);
        gpio.OpenPin(2, PinMode.InputPullDown);
        int rising = 0;
        gpio.RegisterCallbackForPinValueChangedEvent(2, PinEventTypes.Rising, (_, e) =>
        {
            if (gpio.Read(e.PinNumber) == PinValue.High)
            {
                Interlocked.Increment(ref rising);
            }
        });

        await Task.Run(() => chip.SetInputLevel(2, PinValue.High)).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(1, Volatile.Read(ref rising));
    }
}
