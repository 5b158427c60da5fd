namespace CloudMining.Farm.Gpio.Sensors;

/// <summary>Why a sensor reading failed, so callers can tell a missing probe from a noisy bus.</summary>
public enum SensorErrorKind
{
    /// <summary>The sensor's sysfs node is absent: unplugged, wrong id, or the bus driver is not loaded.</summary>
    Missing,

    /// <summary>The node exists but reading it failed (I/O error, permission).</summary>
    Unreadable,

    /// <summary>The node was read but its content is not what the driver documents.</summary>
    Malformed,

    /// <summary>A DS18B20 scratchpad failed its CRC (w1_slave says NO): noise, a long cable or a weak pull-up.</summary>
    CrcFailed,

    /// <summary>A DS18B20 returned its power-on value (85 °C) or an all-zero scratchpad: no conversion happened.</summary>
    NoConversion,
}
