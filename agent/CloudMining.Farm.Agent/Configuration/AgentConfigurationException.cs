namespace CloudMining.Farm.Agent.Configuration;

/// <summary>agent.json or the environment cannot be used as written; the message says which key and what to write instead.</summary>
public sealed class AgentConfigurationException : Exception
{
    public AgentConfigurationException()
    {
    }

    public AgentConfigurationException(string message)
        : base(message)
    {
    }

    public AgentConfigurationException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
