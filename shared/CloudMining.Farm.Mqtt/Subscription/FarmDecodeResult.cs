namespace CloudMining.Farm.Mqtt.Subscription;

/// <summary>What <see cref="FarmMessageDecoder.Decode"/> made of one message: exactly one of the two is set.</summary>
public sealed record FarmDecodeResult
{
    private FarmDecodeResult(FarmReceivedMessage? message, FarmRejectedMessage? rejection)
    {
        Message = message;
        Rejection = rejection;
    }

    /// <summary>The typed message, when it follows the contract.</summary>
    public FarmReceivedMessage? Message { get; }

    /// <summary>Why it was refused, when it does not.</summary>
    public FarmRejectedMessage? Rejection { get; }

    public static FarmDecodeResult Accepted(FarmReceivedMessage message) => new(message ?? throw new ArgumentNullException(nameof(message)), null);

    public static FarmDecodeResult Refused(FarmRejectedMessage rejection) => new(null, rejection ?? throw new ArgumentNullException(nameof(rejection)));
}
