// SiftTrain: the trainer, optimizers, schedules, metrics, the four classification methods and the studies.
import SiftTensor
import SiftData
