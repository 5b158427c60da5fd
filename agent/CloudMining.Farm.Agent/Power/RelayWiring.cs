using System.Device.Gpio;

namespace CloudMining.Farm.Agent.Power;

/// <summary>
/// The one place that turns "outlet powered or not" into the electrical level on a relay's GPIO line and back.
/// </summary>
/// <remarks>
/// Two facts about the wiring decide it. ActiveLow: the relay board energises its coil when its input is Low (most
/// opto-isolated boards) instead of High. NormallyClosed: the outlet is wired through the relay's NC contact, so it is
/// powered while the coil is NOT energised — if the agent, the box or the GPIO dies, the miners keep running.
/// <code>
///   ActiveLow  NormallyClosed | coil energised at | outlet ON  -> line | outlet OFF -> line
///   false      true (default) | High              | Low                | High
///   false      false          | High              | High               | Low
///   true       true           | Low               | High               | Low
///   true       false          | Low               | Low                | High
/// </code>
/// The levels are physical: drivers are opened without active-low flags, so the value written is the wire level.
/// </remarks>
public static class RelayWiring
{
    /// <summary>The wire level that puts the outlet in the wanted state.</summary>
    public static PinValue LevelFor(bool powered, bool activeLow, bool normallyClosed)
    {
        bool energise = normallyClosed ? !powered : powered;
        bool high = activeLow ? !energise : energise;
        return high ? PinValue.High : PinValue.Low;
    }

    /// <summary>Whether the outlet is powered when its line sits at <paramref name="level"/>.</summary>
    public static bool IsPowered(PinValue level, bool activeLow, bool normallyClosed)
    {
        bool energised = activeLow ? level == PinValue.Low : level == PinValue.High;
        return normallyClosed ? !energised : energised;
    }
}
