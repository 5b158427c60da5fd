using System.Runtime.InteropServices;

namespace CloudMining.Farm.Gpio.Drivers.Chardev;

/// <summary>Waits on one line fd for gpio_v2_line_event records on its own thread and hands each edge to a callback.</summary>
/// <remarks>The watcher owns the line fd once started: <see cref="Stop"/> only signals, and the thread closes the fd after
/// leaving poll(). Nobody ever waits for the thread, so a callback that calls back into the controller (which may be
/// closing this very pin under its lock) cannot deadlock, and the fd number cannot be reused while poll() still holds it.</remarks>
internal sealed unsafe class LineEventWatcher
{
    private const int EventsPerRead = 16;

    private readonly int _lineFd;
    private readonly int _stopFd;
    private readonly Action<PinEventTypes, ulong> _onEdge;
    private readonly Action<Exception> _onFailure;
    private readonly Thread _thread;
    private int _stopped;
    private volatile bool _exited;

    public LineEventWatcher(int lineFd, string name, Action<PinEventTypes, ulong> onEdge, Action<Exception> onFailure)
    {
        _lineFd = lineFd;
        _onEdge = onEdge;
        _onFailure = onFailure;
        _stopFd = Libc.EventFd(0, Libc.EfdCloExec | Libc.EfdNonBlock);
        if (_stopFd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new GpioChipException($"Cannot create the stop signal for {name}: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno}).", null, errno);
        }

        _thread = new Thread(Run) { IsBackground = true, Name = name };
    }

    /// <summary>True once the thread has closed the line fd and exited.</summary>
    public bool HasExited => _exited;

    public void Start() => _thread.Start();

    /// <summary>Asks the thread to stop and close the line fd; returns at once.</summary>
    public void Stop()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }

        ulong one = 1;
        Libc.Write(_stopFd, &one, sizeof(ulong));
    }

    private void Run()
    {
        try
        {
            Loop();
        }
        catch (Exception ex)
        {
            _onFailure(ex);
        }
        finally
        {
            Libc.Close(_lineFd);
            Libc.Close(_stopFd);
            _exited = true;
        }
    }

    private void Loop()
    {
        PollFd* fds = stackalloc PollFd[2];
        GpioV2LineEvent* events = stackalloc GpioV2LineEvent[EventsPerRead];
        while (true)
        {
            fds[0] = new PollFd { Fd = _lineFd, Events = Libc.PollIn };
            fds[1] = new PollFd { Fd = _stopFd, Events = Libc.PollIn };
            if (Libc.Poll(fds, 2, -1) < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno == Libc.EINTR)
                {
                    continue;
                }

                throw new GpioChipException($"poll() on a GPIO line failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno}).", null, errno);
            }

            if (fds[1].Revents != 0 || Volatile.Read(ref _stopped) != 0)
            {
                return;
            }

            if ((fds[0].Revents & (Libc.PollErr | Libc.PollHup | Libc.PollNval)) != 0 && (fds[0].Revents & Libc.PollIn) == 0)
            {
                throw new GpioChipException("The GPIO line stopped delivering events (the chip went away); reopen the pin.");
            }

            nint bytes = Libc.Read(_lineFd, events, (nuint)(sizeof(GpioV2LineEvent) * EventsPerRead));
            if (bytes < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno is Libc.EINTR or Libc.EAGAIN)
                {
                    continue;
                }

                throw new GpioChipException($"Reading GPIO line events failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno}).", null, errno);
            }

            if (bytes == 0)
            {
                return; // end of file: the line went away
            }

            // The kernel only ever hands out whole events; a partial one would mean our struct size is wrong.
            int count = (int)(bytes / sizeof(GpioV2LineEvent));
            for (int i = 0; i < count; i++)
            {
                PinEventTypes kind = events[i].Id switch
                {
                    GpioUapi.LineEventRisingEdge => PinEventTypes.Rising,
                    GpioUapi.LineEventFallingEdge => PinEventTypes.Falling,
                    _ => PinEventTypes.None,
                };
                if (kind != PinEventTypes.None)
                {
                    _onEdge(kind, events[i].TimestampNs);
                }
            }
        }
    }
}
