package admin

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/notify"
)

// The account's e-mail notifications: every staff member chooses for herself, and only for herself.
func (a *Admin) mountNotifications(r gin.IRouter) {
	r.GET("/account/notifications", a.notificationsPage)
	r.POST("/account/notifications", a.setNotifications)
}

type notificationChoice struct {
	Value, Label string
	Current      bool
}

type notificationsData struct {
	Email   string
	MailOn  bool
	Choices []notificationChoice
	Error   string
}

var notificationLabels = map[model.NotificationMode]string{
	model.NotifyOff:         "No e-mail",
	model.NotifyImmediately: "An e-mail for each event, as it happens",
	model.NotifyDigest:      "One digest a day, at 07:00 UTC",
}

func (a *Admin) notificationsPage(c *gin.Context) {
	a.renderNotifications(c, http.StatusOK, "")
}

func (a *Admin) renderNotifications(c *gin.Context, status int, problem string) {
	account := sessionOf(c).Account
	setting, err := a.cfg.Store.NotificationSetting(c.Request.Context(), account.ID)
	if err != nil {
		a.fail(c, err)
		return
	}
	current := notify.ModeOf(setting, account)
	data := notificationsData{Email: account.Email, MailOn: a.cfg.EmailOn, Error: problem}
	for _, mode := range model.NotificationModes() {
		data.Choices = append(data.Choices, notificationChoice{Value: string(mode), Label: notificationLabels[mode], Current: mode == current})
	}
	a.renderStatus(c, status, "notifications.html", "E-mail notifications", data)
}

func (a *Admin) setNotifications(c *gin.Context) {
	mode, err := notify.ParseMode(c.PostForm("mode"))
	if err != nil {
		a.renderNotifications(c, http.StatusBadRequest, apperror.SafeMessage(err))
		return
	}
	if err := a.cfg.Store.SetNotificationMode(c.Request.Context(), sessionOf(c).Account.ID, mode); err != nil {
		a.fail(c, err)
		return
	}
	a.done(c, "/admin/account/notifications", "E-mail notifications saved: "+notificationLabels[mode]+".")
}
