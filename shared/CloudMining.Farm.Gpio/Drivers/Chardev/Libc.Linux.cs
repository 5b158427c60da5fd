using System.Runtime.InteropServices;

namespace CloudMining.Farm.Gpio.Drivers.Chardev;

/// <summary>The few libc calls the chardev driver needs; errno comes back through Marshal.GetLastPInvokeError.</summary>
internal static unsafe partial class Libc
{
    public const int ORdWr = 0x2;
    public const int OCloExec = 0x80000;

    public const int ENOENT = 2;
    public const int EACCES = 13;
    public const int EBUSY = 16;
    public const int ENODEV = 19;
    public const int EINVAL = 22;
    public const int ENOTTY = 25;
    public const int EPERM = 1;

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    // ioctl is variadic in C; on the Linux ABIs we target a pointer argument is passed exactly like a fixed one.
    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    public static partial int Ioctl(int fd, nuint request, void* argument);
}
