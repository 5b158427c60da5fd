namespace CloudMining.Farm.Gpio;

/// <summary>How a pin is configured: the same names and meanings as System.Device.Gpio.PinMode.</summary>
public enum PinMode
{
    Input = 0,
    Output = 1,
    InputPullDown = 2,
    InputPullUp = 3,
}
