namespace CloudMining.Farm.Gpio;

/// <summary>Callback for a pin value change (same shape as System.Device.Gpio.PinChangeEventHandler).</summary>
#pragma warning disable CA1711 // The name is System.Device.Gpio's; keeping it lets the real package replace this seam.
public delegate void PinChangeEventHandler(object sender, PinValueChangedEventArgs pinValueChangedEventArgs);
#pragma warning restore CA1711
