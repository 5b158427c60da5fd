using CloudMining.Farm.Controller.Configuration;
using Microsoft.Extensions.Options;

namespace CloudMining.Farm.Controller.Store;

/// <summary>Checks the store's key (Controller:Database) at start.</summary>
public sealed class StoreOptionsValidator : IValidateOptions<StoreOptions>
{
    public ValidateOptionsResult Validate(string? name, StoreOptions options)
    {
        var errors = new ConfigurationErrors();
        Check(options, errors);
        return errors.ToResult();
    }

    /// <summary>Adds every problem of <paramref name="options"/> to <paramref name="errors"/>.</summary>
    public static void Check(StoreOptions options, ConfigurationErrors errors)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(errors);
        if (string.IsNullOrWhiteSpace(options.Database))
        {
            errors.Add("Controller:Database", "is empty; set the path of the controller's SQLite file, e.g. \"/var/lib/farm-controller/controller.db\".");
        }
        else if (options.Database.IndexOfAny(Path.GetInvalidPathChars()) >= 0)
        {
            errors.Add("Controller:Database", $"'{options.Database}' is not a usable path; set the path of the controller's SQLite file.");
        }
    }
}
