using CloudMining.Farm.ControlApi;

namespace CloudMining.Farm.Ctl.Client;

/// <summary>The controller answered with a problem+json document (refused or failed); carries it and its raw JSON.</summary>
public sealed class ControllerProblemException : Exception
{
    public ControllerProblemException(ProblemDocument problem, string rawJson)
        : base((problem ?? throw new ArgumentNullException(nameof(problem))).Detail)
    {
        Problem = problem;
        RawJson = rawJson ?? throw new ArgumentNullException(nameof(rawJson));
    }

    public ControllerProblemException()
    {
        Problem = new ProblemDocument("about:blank", "Unknown", 0, string.Empty);
        RawJson = "{}";
    }

    public ControllerProblemException(string message)
        : base(message)
    {
        Problem = new ProblemDocument("about:blank", "Unknown", 0, message);
        RawJson = "{}";
    }

    public ControllerProblemException(string message, Exception innerException)
        : base(message, innerException)
    {
        Problem = new ProblemDocument("about:blank", "Unknown", 0, message);
        RawJson = "{}";
    }

    public ProblemDocument Problem { get; }

    public string RawJson { get; }
}
