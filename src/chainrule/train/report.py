"""What a training run leaves behind: metrics.json, history.csv and a picture of its learning curves."""
import csv
import json
import os


def write_history_csv(history, path):
    names = list(history)
    epochs = len(next(iter(history.values()), []))
    with open(path, "w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["epoch"] + names)
        for epoch in range(epochs):
            writer.writerow([epoch + 1] + [history[name][epoch] for name in names])


def write_metrics_json(metrics, path):
    with open(path, "w") as file:
        json.dump(metrics, file, indent=2, sort_keys=True)
        file.write("\n")


def plot_learning_curves(history, path, title=""):
    """Loss and accuracy per epoch, training and validation side by side, as a PNG."""
    import matplotlib

    matplotlib.use("Agg")  # files only: no window, no display needed
    from matplotlib import pyplot as plt
    from matplotlib.ticker import MaxNLocator

    panels = [name for name in ("loss", "accuracy") if name in history]
    figure, axes = plt.subplots(1, len(panels), figsize=(5 * len(panels), 3.6), squeeze=False)
    for axis, name in zip(axes[0], panels):
        epochs = range(1, len(history[name]) + 1)
        axis.plot(epochs, history[name], marker="o", label="training")
        if "val_" + name in history:
            axis.plot(epochs, history["val_" + name], marker="o", label="validation")
        axis.set_xlabel("epoch")
        axis.set_ylabel(name)
        axis.set_title(name)
        axis.xaxis.set_major_locator(MaxNLocator(integer=True))
        axis.grid(alpha=0.3)
        axis.legend()
    if title:
        figure.suptitle(title)
    figure.tight_layout()
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)
