using Microsoft.Extensions.Options;

namespace CloudMining.Farm.Controller.Configuration;

/// <summary>
/// Serves options already bound (and checked) by <see cref="Hosting.ControllerHost.Bind"/> through the options system,
/// running the registered validators on first use — so <c>ValidateOnStart</c> refuses to start a host built from
/// settings that were never checked, with every problem named by its key.
/// </summary>
public sealed class BoundOptionsFactory<TOptions>(TOptions bound, IEnumerable<IValidateOptions<TOptions>> validators) : IOptionsFactory<TOptions>
    where TOptions : class
{
    private readonly TOptions _bound = bound ?? throw new ArgumentNullException(nameof(bound));
    private readonly IValidateOptions<TOptions>[] _validators = [.. validators ?? throw new ArgumentNullException(nameof(validators))];

    public TOptions Create(string name)
    {
        var failures = new List<string>();
        foreach (IValidateOptions<TOptions> validator in _validators)
        {
            ValidateOptionsResult result = validator.Validate(name, _bound);
            if (result.Failed)
            {
                failures.AddRange(result.Failures ?? [result.FailureMessage]);
            }
        }

        return failures.Count > 0 ? throw new OptionsValidationException(name, typeof(TOptions), failures) : _bound;
    }
}
