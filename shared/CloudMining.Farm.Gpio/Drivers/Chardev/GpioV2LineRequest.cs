using System.Runtime.InteropServices;

namespace CloudMining.Farm.Gpio.Drivers.Chardev;

/// <summary>struct gpio_v2_line_request: which lines to take, their configuration, and (on return) the line file descriptor.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct GpioV2LineRequest
{
    public fixed uint Offsets[GpioUapi.LinesMax];
    public fixed byte Consumer[GpioUapi.MaxNameSize];
    public GpioV2LineConfig Config;
    public uint NumLines;
    public uint EventBufferSize;
    public fixed uint Padding[5];
    public int Fd;

    /// <summary>Copies an ASCII consumer label (shown by gpioinfo) truncated to leave the terminating NUL.</summary>
    public void SetConsumer(string consumer)
    {
        fixed (byte* p = Consumer)
        {
            int n = Math.Min(consumer.Length, GpioUapi.MaxNameSize - 1);
            for (int i = 0; i < n; i++)
            {
                p[i] = consumer[i] < 128 ? (byte)consumer[i] : (byte)'?';
            }

            p[n] = 0;
        }
    }
}
